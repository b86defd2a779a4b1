import { createHash } from 'node:crypto'
import { DateTime } from 'luxon'
import User from '#identity/models/user'
import BudgetItem from '#project_review/models/budget_item'
import Expert from '#project_review/models/expert'
import PanelMember from '#project_review/models/panel_member'
import Project from '#project_review/models/project'
import ProjectAttachment, { type AttachmentKind } from '#project_review/models/project_attachment'
import ReviewPanel from '#project_review/models/review_panel'
import ScoreSheet from '#project_review/models/score_sheet'
import {
  PROJECT_STATES,
  pathBetween,
  type ProjectState,
  type TransitionAction,
} from '#project_review/lifecycle'
import { seatMachine } from '#project_review/state_machines'
import proposals from '#project_review/services/proposals'
import precheck from '#project_review/services/precheck'
import panels from '#project_review/services/panels'
import sheets, { type SheetInput } from '#project_review/services/sheets'
import decisions from '#project_review/services/decisions'
import revisions from '#project_review/services/revisions'
import acceptance from '#project_review/services/acceptance'
import evaluations from '#project_review/services/evaluations'
import attachments from '#project_review/services/attachments'
import { reviewActorOf, type ReviewActor } from '#project_review/services/actor'

/** A one-page PDF standing in for every attachment the driver has to provide. */
export const STAND_IN_PDF = Buffer.from(
  [
    '%PDF-1.4',
    '1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj',
    '2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj',
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj',
    'trailer<</Root 1 0 R>>',
    '%%EOF',
    '',
  ].join('\n')
)

export interface DriveOptions {
  /** draw seeds are derived from this (replayable demo draws) */
  seed?: string
  panelSize?: number
  alternates?: number
  acceptancePanelSize?: number
  /** the score sheet of the n-th sitting expert (default: 90 %, lines as requested) */
  sheet?: (index: number, panel: ReviewPanel, items: BudgetItem[]) => SheetInput
  /** how many sheets to submit when stopping at under_review (default 0) */
  sheetsUnderReview?: number
  /** 决算 of an approved line (default: the approved amount) */
  settlement?: (item: BudgetItem) => { settled: number; justification?: string }
  /** provides an attachment (default: stores the stand-in PDF through the attachment service) */
  attach?: (projectId: number, kind: AttachmentKind, actor: ReviewActor) => Promise<unknown>
  /** rounds of 整改 before acceptance passes (default 0) */
  rectificationRounds?: number
  reasons?: Partial<Record<TransitionAction, string>>
  /** dates of the construction milestones and of the acceptance (default: relative to now) */
  contractSignedOn?: DateTime
}

/**
 * Drives a project through the real services to any state of the lifecycle (the path of
 * `pathBetween`), from wherever it stands: the one ladder shared by the demo seeder
 * and the tests, so the order of the lifecycle is written once (lifecycle.ts).
 */
export class ProjectDriver {
  async drive(
    projectId: number,
    target: ProjectState,
    cast: { applicant: ReviewActor; reviewer: ReviewActor },
    options: DriveOptions = {}
  ) {
    if (!PROJECT_STATES.includes(target)) throw new Error(`unknown state ${target}`)
    const project = await Project.findOrFail(projectId)
    const path = pathBetween(project.state, target)
    if (!path) throw new Error(`${target} cannot be reached from ${project.state}`)
    for (const action of path) {
      await this.step(projectId, action, cast, options, action === path.at(-1))
    }
    return Project.query().where('id', projectId).preload('items').firstOrFail()
  }

  protected reason(options: DriveOptions, action: TransitionAction, fallback: string) {
    return options.reasons?.[action] ?? fallback
  }

  protected async step(
    projectId: number,
    action: TransitionAction,
    { applicant, reviewer }: { applicant: ReviewActor; reviewer: ReviewActor },
    options: DriveOptions,
    last: boolean
  ) {
    const seed = (purpose: string) =>
      createHash('sha256')
        .update(`${options.seed ?? 'driver'}:${purpose}:${projectId}`)
        .digest('hex')
    switch (action) {
      case 'submit':
        await this.ensureAttachment(projectId, 'feasibility', applicant, options)
        await proposals.submit(projectId, applicant)
        return
      case 'return':
        await precheck.returnForCorrection(
          projectId,
          this.reason(options, 'return', '缺少可行性研究报告').split('\n'),
          reviewer
        )
        return
      case 'reject':
        await precheck.reject(
          projectId,
          this.reason(options, 'reject', '不属于信息化建设项目。'),
          reviewer
        )
        return
      case 'accept':
        await precheck.accept(projectId, reviewer, '要件齐全，予以受理。')
        return
      case 'draw':
        await panels.draw(
          projectId,
          {
            panelSize: options.panelSize ?? 5,
            alternates: options.alternates ?? 0,
            specialties: [],
          },
          reviewer,
          seed('review')
        )
        return
      case 'begin_review': {
        const count = last ? (options.sheetsUnderReview ?? 0) : 0
        const seats = await this.sitting(projectId, 'review')
        await sheets.declareNoConflict(seats[0].member.id, seats[0].actor)
        for (const [index, seat] of seats.slice(0, count).entries()) {
          await this.submitSheet(projectId, index, seat, options)
        }
        return
      }
      case 'close_panel': {
        const seats = await this.sitting(projectId, 'review')
        for (const [index, seat] of seats.entries()) {
          await this.submitSheet(projectId, index, seat, options)
        }
        await decisions.closePanel(projectId, reviewer)
        return
      }
      case 'request_revision':
        await revisions.requestRevision(
          projectId,
          this.reason(options, 'request_revision', '请按专家意见压减硬件单价并补充等保方案。'),
          reviewer
        )
        return
      case 'submit_revision': {
        const items = await BudgetItem.query().where('project_id', projectId).orderBy('position')
        await revisions.submitRevision(
          projectId,
          {
            note: '已按专家意见压减单价，补充等保三级建设方案。',
            lines: items.map((item) => {
              const target = Math.min(item.recommendedFen ?? item.amountFen, item.amountFen)
              return {
                budgetItemId: item.id,
                quantity: item.quantity,
                unitPrice: Math.floor(target / Math.max(1, item.quantity)),
              }
            }),
          },
          applicant
        )
        return
      }
      case 'approve': {
        const items = await BudgetItem.query().where('project_id', projectId).orderBy('position')
        await decisions.approve(
          projectId,
          items.map((item) => {
            const approved = Math.min(item.recommendedFen ?? item.currentFen, item.currentFen)
            return {
              budgetItemId: item.id,
              approved,
              reason: approved === item.recommendedFen ? null : '按修改后金额核定',
            }
          }),
          '同意立项，按核定金额实施。',
          reviewer
        )
        return
      }
      case 'decline':
        await decisions.decline(
          projectId,
          this.reason(options, 'decline', '与已建系统功能重复，不予立项。'),
          reviewer
        )
        return
      case 'start_construction':
        await acceptance.startConstruction(
          projectId,
          options.contractSignedOn ?? DateTime.utc().minus({ months: 6 }).startOf('day'),
          '与中标单位签订建设合同',
          applicant
        )
        return
      case 'request_acceptance': {
        const signed = options.contractSignedOn ?? DateTime.utc().minus({ months: 6 })
        await acceptance.recordMilestone(
          projectId,
          'online',
          signed.plus({ months: 3 }),
          null,
          applicant
        )
        await acceptance.recordMilestone(
          projectId,
          'trial_run',
          signed.plus({ months: 4 }),
          '试运行三个月，运行平稳',
          applicant
        )
        await this.ensureAttachment(projectId, 'trial_run', applicant, options)
        await this.ensureAttachment(projectId, 'security_report', applicant, options)
        await this.requestAcceptance(projectId, applicant, options)
        return
      }
      case 'draw_acceptance':
        await panels.drawAcceptance(
          projectId,
          { panelSize: options.acceptancePanelSize ?? 3, alternates: 0, specialties: [] },
          reviewer,
          seed('acceptance')
        )
        return
      case 'order_rectification':
        await this.checkAll(projectId, 'fail')
        await acceptance.decide(
          projectId,
          'rectify',
          [this.reason(options, 'order_rectification', '补齐系统运维手册和用户培训记录')],
          '资料不全，限期整改。',
          reviewer
        )
        return
      case 'pass_acceptance': {
        for (let round = 0; round < (options.rectificationRounds ?? 0); round++) {
          await this.step(projectId, 'order_rectification', { applicant, reviewer }, options, false)
          await this.requestAcceptance(projectId, applicant, options)
          await this.step(projectId, 'draw_acceptance', { applicant, reviewer }, options, false)
        }
        await this.checkAll(projectId, 'pass')
        await acceptance.decide(projectId, 'pass', [], '建设内容完成，同意通过验收。', reviewer)
        return
      }
      case 'evaluate':
        await evaluations.saveSelf(
          projectId,
          {
            indicators: evaluations.form().indicators.map((row) => ({
              key: row.key,
              target: 100,
              actual: 92,
            })),
            selfEvaluation: '系统运行稳定，主要指标基本达到预期。',
          },
          applicant
        )
        await evaluations.rate(projectId, 'good', '绩效目标基本实现，评为良。', reviewer)
        return
    }
  }

  protected async requestAcceptance(
    projectId: number,
    applicant: ReviewActor,
    options: DriveOptions
  ) {
    const items = await BudgetItem.query().where('project_id', projectId).orderBy('position')
    await acceptance.request(
      projectId,
      {
        deliverables: '系统软件及源代码、部署文档、用户手册、培训记录',
        securityResult: 'passed',
        securityNote: null,
        trialRunSummary: '试运行期间系统运行平稳，未发生重大故障。',
        lines: items
          .filter((item) => (item.approvedFen ?? 0) > 0)
          .map((item) => ({
            budgetItemId: item.id,
            ...(options.settlement?.(item) ?? { settled: item.approvedFen! }),
          })),
      },
      applicant
    )
  }

  protected async ensureAttachment(
    projectId: number,
    kind: AttachmentKind,
    actor: ReviewActor,
    options: DriveOptions
  ) {
    const has = await ProjectAttachment.query()
      .where('project_id', projectId)
      .where('kind', kind)
      .first()
    if (has) return
    if (options.attach) await options.attach(projectId, kind, actor)
    else await attachments.storeBytes(projectId, kind, `${kind}.pdf`, STAND_IN_PDF, actor)
  }

  /** Sitting experts of a panel with their login as actors. */
  protected async sitting(projectId: number, purpose: 'review' | 'acceptance') {
    const panel = await ReviewPanel.query()
      .where('project_id', projectId)
      .where('purpose', purpose)
      .firstOrFail()
    const members = await PanelMember.query()
      .where('panel_id', panel.id)
      .where('status', seatMachine.target('call'))
      .orderBy('draw_order')
    const seats: { member: PanelMember; actor: ReviewActor; panel: ReviewPanel }[] = []
    for (const member of members) {
      const expert = await Expert.findOrFail(member.expertId)
      const user = await User.query().where('id', expert.userId!).preload('roleRows').firstOrFail()
      seats.push({ member, actor: reviewActorOf(user), panel })
    }
    return seats
  }

  protected async submitSheet(
    projectId: number,
    index: number,
    seat: { member: PanelMember; actor: ReviewActor; panel: ReviewPanel },
    options: DriveOptions
  ) {
    const sheet = await sheets.declareNoConflict(seat.member.id, seat.actor)
    const current = await ScoreSheet.findOrFail(sheet.id)
    if (!current.isEditable) return
    const items = await BudgetItem.query().where('project_id', projectId).orderBy('position')
    const input = options.sheet?.(index, seat.panel, items) ?? {
      scores: Object.fromEntries(
        seat.panel.criteria.map((criterion) => [criterion.key, criterion.maxScore * 0.9])
      ),
      opinion: '同意建设。',
      items: items.map((item) => ({
        budgetItemId: item.id,
        quantity: item.quantity,
        unitPrice: item.unitPriceFen,
      })),
    }
    await sheets.save(sheet.id, input, seat.actor, true)
  }

  /** Every sitting acceptance expert submits a checklist: all pass, or one item failing. */
  async checkAll(projectId: number, outcome: 'pass' | 'fail') {
    const seats = await this.sitting(projectId, 'acceptance')
    for (const [index, seat] of seats.entries()) {
      const form = acceptance.formOf(seat.panel)
      const fail = outcome === 'fail' && index === 0
      await acceptance.saveCheck(
        projectId,
        {
          results: Object.fromEntries(
            form.items.map((item, at) => [item.key, fail && at === 1 ? 'fail' : 'pass'])
          ),
          notes: fail ? { [form.items[1].key]: '缺少运维手册' } : {},
          opinion: fail ? '资料不全，建议整改后再验收。' : '同意通过验收。',
        },
        seat.actor,
        true
      )
    }
  }
}

export default new ProjectDriver()
