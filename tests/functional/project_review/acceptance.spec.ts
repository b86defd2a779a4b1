import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import mail from '@adonisjs/mail/services/main'
import i18nManager from '@adonisjs/i18n/services/main'
import AuditEvent from '#core/audit/audit_event'
import Project from '#project_review/models/project'
import BudgetItem from '#project_review/models/budget_item'
import ReviewPanel from '#project_review/models/review_panel'
import AcceptanceRequest from '#project_review/models/acceptance_request'
import ProjectTransition from '#project_review/models/project_transition'
import { ReviewError, ReviewFieldErrors } from '#project_review/errors'
import acceptance, { type AcceptanceInput } from '#project_review/services/acceptance'
import revisions from '#project_review/services/revisions'
import evaluations from '#project_review/services/evaluations'
import panels from '#project_review/services/panels'
import { reviewActorOf } from '#project_review/services/actor'
import { projectMachine } from '#project_review/lifecycle'
import {
  attachRow,
  createDraft,
  createExperts,
  driveTo,
  reviewCast,
  stateOf,
} from '#tests/helpers/review'
import { createUser } from '#tests/helpers/identity'

async function refusal(action: () => Promise<unknown>) {
  try {
    await action()
  } catch (error) {
    if (error instanceof ReviewError || error instanceof ReviewFieldErrors) return error
    throw error
  }
  throw new Error('expected the action to be refused')
}

function zh(key: string, values: Record<string, string | number> = {}) {
  return i18nManager.locale('zh-CN').t(key, values)
}

/** An applicant unit, a reviewer, 6 outside experts; a project driven to `target`. */
async function projectAt(target: Parameters<typeof driveTo>[1]) {
  const cast = await reviewCast()
  await createExperts(6, { email: true })
  const draft = await createDraft(cast.applicant)
  const project = await driveTo(draft.id, target, cast.applicant, cast.reviewer)
  return { ...cast, project }
}

function requestInput(items: BudgetItem[], overrides: Partial<AcceptanceInput> = {}) {
  return {
    deliverables: '源代码、部署文档、用户手册',
    securityResult: 'passed' as const,
    trialRunSummary: '试运行三个月，运行平稳。',
    lines: items.map((item) => ({ budgetItemId: item.id, settled: item.approvedFen! })),
    ...overrides,
  }
}

test.group('Acceptance | lifecycle after 批复', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(() => {
    mail.fake()
    return () => mail.restore()
  })

  test('the driver walks a project through every new state, each step on the timeline', async ({
    assert,
  }) => {
    const { project } = await projectAt('evaluated')
    assert.equal(project.state, 'evaluated')
    const steps = await ProjectTransition.query().where('project_id', project.id).orderBy('id')
    assert.includeMembers(
      steps.map((step) => step.action),
      ['start_construction', 'request_acceptance', 'draw_acceptance', 'pass_acceptance', 'evaluate']
    )
    const fresh = await Project.findOrFail(project.id)
    assert.isNotNull(fresh.completedAt)
    assert.equal(fresh.settledFen, fresh.approvedFen)
    const panelsOf = await ReviewPanel.query().where('project_id', project.id).orderBy('id')
    assert.deepEqual(
      panelsOf.map((panel) => panel.purpose),
      ['review', 'acceptance']
    )
  })

  test('修改后通过: the applicant reads anonymised opinions, revises lines and text, the reviewer approves', async ({
    assert,
  }) => {
    const { project, applicant, reviewer } = await projectAt('revising')
    const opinions = await revisions.anonymisedOpinions(project.id)
    assert.lengthOf(opinions, 5)
    assert.deepEqual(
      opinions.map((opinion) => opinion.label),
      ['A', 'B', 'C', 'D', 'E']
    )
    assert.notProperty(opinions[0], 'expertId')
    const items = await BudgetItem.query().where('project_id', project.id).orderBy('position')
    const lines = items.map((item) => ({
      budgetItemId: item.id,
      quantity: item.quantity,
      unitPrice: Math.floor(item.unitPriceFen * 0.8),
    }))
    const tooHigh = await refusal(() =>
      revisions.submitRevision(
        project.id,
        {
          note: '已压减',
          lines: lines.map((line, i) =>
            i === 0 ? { ...line, unitPrice: line.unitPrice * 2 } : line
          ),
        },
        reviewActorOf(applicant)
      )
    )
    assert.instanceOf(tooHigh, ReviewFieldErrors)
    await revisions.submitRevision(
      project.id,
      { note: '按专家意见压减单价', content: '修改后的建设内容', lines },
      reviewActorOf(applicant)
    )
    assert.equal(await stateOf(project.id), 'revised')
    const revised = await Project.findOrFail(project.id)
    assert.equal(revised.content, '修改后的建设内容')
    assert.equal(revised.revisionNote, '按专家意见压减单价')
    const event = await AuditEvent.query().where('action', 'review.revision.save').firstOrFail()
    assert.equal(event.targetId, String(project.id))
    await driveTo(project.id, 'approved', applicant, reviewer)
    const approved = await BudgetItem.query().where('project_id', project.id).orderBy('position')
    for (const item of approved) assert.isAtMost(item.approvedFen!, item.revisedFen!)
  })

  test('acceptance requested for a project not approved is refused with a Chinese message', async ({
    assert,
  }) => {
    const { project, applicant } = await projectAt('reviewed')
    const items = await BudgetItem.query().where('project_id', project.id)
    const error = (await refusal(() =>
      acceptance.request(project.id, requestInput(items), reviewActorOf(applicant))
    )) as ReviewError
    assert.equal(error.i18nKey, 'review.lifecycle.errors.illegal_state')
    assert.include(zh(error.i18nKey, error.values), '评审完成')
    assert.include(zh(error.i18nKey, error.values), '申请验收')
    assert.equal(
      await AcceptanceRequest.query()
        .where('project_id', project.id)
        .count('* as n')
        .first()
        .then((row) => Number(row!.$extras.n)),
      0
    )
  })

  test('a settlement line not in the approved budget, or negative, is refused; nothing is written', async ({
    assert,
  }) => {
    const { project, applicant } = await projectAt('in_construction')
    await attachRow(project.id, 'trial_run', applicant)
    await attachRow(project.id, 'security_report', applicant)
    const items = await BudgetItem.query().where('project_id', project.id).orderBy('position')
    const other = await createDraft(applicant)
    const [foreign] = await BudgetItem.query().where('project_id', other.id)
    const input = requestInput(items)
    const notInBudget = (await refusal(() =>
      acceptance.request(
        project.id,
        { ...input, lines: [...input.lines, { budgetItemId: foreign.id, settled: 100 }] },
        reviewActorOf(applicant)
      )
    )) as ReviewFieldErrors
    assert.deepEqual(
      notInBudget.refusals.map((r) => r.i18nKey),
      ['acceptance.errors.line_not_in_budget']
    )
    const negative = (await refusal(() =>
      acceptance.request(
        project.id,
        {
          ...input,
          lines: input.lines.map((line, i) => (i === 0 ? { ...line, settled: -1 } : line)),
        },
        reviewActorOf(applicant)
      )
    )) as ReviewFieldErrors
    assert.deepEqual(
      negative.refusals.map((r) => r.i18nKey),
      ['acceptance.errors.settlement_negative']
    )
    assert.include(zh(negative.refusals[0].i18nKey, negative.refusals[0].values), '不能为负数')
    assert.equal(await stateOf(project.id), 'in_construction')
  })

  test('a settlement above the approved amount needs a written justification and is marked', async ({
    assert,
  }) => {
    const { project, applicant } = await projectAt('in_construction')
    await attachRow(project.id, 'trial_run', applicant)
    await attachRow(project.id, 'security_report', applicant)
    const items = await BudgetItem.query().where('project_id', project.id).orderBy('position')
    const over = requestInput(items, {
      lines: items.map((item, i) => ({
        budgetItemId: item.id,
        settled: item.approvedFen! + (i === 0 ? 10_000 : 0),
      })),
    })
    const error = (await refusal(() =>
      acceptance.request(project.id, over, reviewActorOf(applicant))
    )) as ReviewFieldErrors
    assert.equal(error.refusals[0].i18nKey, 'acceptance.errors.justification_required')
    over.lines[0] = { ...over.lines[0], justification: '设备涨价，经单位党组会研究同意' } as never
    const request = await acceptance.request(project.id, over, reviewActorOf(applicant))
    await request.load('lines')
    assert.deepEqual(
      request.lines.map((line) => line.isOverApproved),
      items.map((_item, i) => i === 0)
    )
  })

  test('an acceptance expert from the applicant unit is never drawn; a review panel expert may be', async ({
    assert,
  }) => {
    const { project, unit, reviewer } = await projectAt('acceptance_requested')
    const colleagues = await createExperts(5, { employerUnit: unit })
    const review = await ReviewPanel.query()
      .where('project_id', project.id)
      .where('purpose', 'review')
      .firstOrFail()
    const panel = await panels.drawAcceptance(
      project.id,
      { panelSize: 6, alternates: 0, specialties: [] },
      reviewActorOf(reviewer),
      'a1b2c3d4e5f60718293a4b5c6d7e8f90'
    )
    assert.equal(panel.purpose, 'acceptance')
    assert.lengthOf(panel.result.panel, 6)
    for (const { expert } of colleagues) assert.notInclude(panel.result.panel, expert.id)
    assert.isTrue(panel.result.panel.some((id) => review.result.panel.includes(id)))
    assert.isTrue(panels.replay(panel).matches)
    assert.equal(await stateOf(project.id), 'acceptance_review')
  })

  test('整改 with itemised rectification, a new request, then 通过; notices are mailed', async ({
    assert,
  }) => {
    const { project, applicant, reviewer } = await projectAt('rectifying')
    const first = await AcceptanceRequest.query().where('project_id', project.id).firstOrFail()
    assert.equal(first.status, 'rectify')
    assert.deepEqual(first.rectificationItems, ['补齐系统运维手册和用户培训记录'])
    await applicant.merge({ email: 'unit@example.test' }).save()
    await reviewer.merge({ email: 'reviewer@example.test' }).save()
    const before = await lastOutboxId()
    await driveTo(project.id, 'completed', applicant, reviewer)
    const rounds = await AcceptanceRequest.query().where('project_id', project.id).orderBy('round')
    assert.deepEqual(
      rounds.map((round) => [round.round, round.status]),
      [
        [1, 'rectify'],
        [2, 'passed'],
      ]
    )
    // Notices go through the mail outbox (queued in order, sent by its job).
    const subjects = await outboxSince(before)
    // round 2 filed: the reviewer; the panel sits again: its three experts are invited to the
    // new round's checklist; 验收通过: the unit and the three acceptance experts
    assert.lengthOf(subjects, 8)
    assert.deepEqual(subjects[0], [
      `申请验收：${project.code} ${project.title}`,
      'reviewer@example.test',
    ])
    assert.deepEqual(
      subjects.slice(1, 4).map(([subject]) => subject),
      Array(3).fill(`竣工验收评审邀请：${project.code} ${project.title}`)
    )
    assert.includeDeepMembers(subjects.slice(4), [
      [`验收通过：${project.code} ${project.title}`, 'unit@example.test'],
    ])
  })

  test('acceptance experts are invited to 竣工验收 with the checklist and a deadline, not to a review', async ({
    assert,
  }) => {
    const { project, reviewer } = await projectAt('acceptance_requested')
    const before = await lastOutboxId()
    await panels.drawAcceptance(
      project.id,
      { panelSize: 3, alternates: 1, specialties: [] },
      reviewActorOf(reviewer)
    )
    const invitations = await db
      .from('mail_outbox')
      .where('id', '>', before)
      .orderBy('id')
      .select('kind', 'subject', 'text', 'html', 'to_address')
    assert.lengthOf(invitations, 3)
    const deadline = DateTime.utc().setZone('Asia/Shanghai').plus({ days: 7 }).toISODate()
    for (const invitation of invitations) {
      assert.equal(invitation.kind, 'review.invitation')
      assert.equal(invitation.subject, `竣工验收评审邀请：${project.code} ${project.title}`)
      assert.include(invitation.text, '竣工验收专家（第 1 轮验收）')
      for (const item of [
        '建设内容完成度',
        '文档齐全',
        '等保测评通过',
        '试运行情况',
        '资金使用合规',
      ]) {
        assert.include(invitation.text, item)
        assert.include(invitation.html, item)
      }
      assert.include(invitation.text, `请于 ${deadline} 前提交验收检查表。`)
      assert.include(invitation.text, '标有“验收”的任务')
      assert.notInclude(invitation.text, '评审表')
      assert.isFalse(invitation.subject.startsWith('评审邀请'))
    }

    // 撤换 on the acceptance panel: the expert is told about the checklist, the alternate invited
    const panel = await ReviewPanel.query()
      .where('project_id', project.id)
      .where('purpose', 'acceptance')
      .preload('members')
      .firstOrFail()
    const seat = panel.members.find((member) => member.isSitting)!
    const middle = await lastOutboxId()
    await panels.withdraw(seat.id, '长期出差，无法到场', reviewActorOf(reviewer))
    const [withdrawal, alternate] = await db
      .from('mail_outbox')
      .where('id', '>', middle)
      .orderBy('id')
      .select('kind', 'subject', 'text')
    assert.equal(withdrawal.kind, 'review.withdrawal')
    assert.equal(withdrawal.subject, `验收专家撤换通知：${project.code} ${project.title}`)
    assert.include(withdrawal.text, '竣工验收专家组中撤换，您无需再填写该项目的验收检查表')
    assert.include(withdrawal.text, '长期出差，无法到场')
    assert.notInclude(withdrawal.text, '评审表')
    assert.equal(alternate.subject, `竣工验收评审邀请：${project.code} ${project.title}`)
    assert.include(alternate.text, '您作为候补专家被邀请参加以下政务信息化项目的竣工验收')
    assert.include(alternate.text, '资金使用合规')
  })

  test('rectification needs items; the reviewer cannot decide before every checklist is in', async ({
    assert,
  }) => {
    const { project, reviewer } = await projectAt('acceptance_review')
    const pending = (await refusal(() =>
      acceptance.decide(project.id, 'pass', [], null, reviewActorOf(reviewer))
    )) as ReviewError
    assert.equal(pending.i18nKey, 'acceptance.errors.checks_pending')
    const noItems = (await refusal(() =>
      acceptance.decide(project.id, 'rectify', ['  '], null, reviewActorOf(reviewer))
    )) as ReviewError
    assert.equal(noItems.i18nKey, 'review.lifecycle.errors.reason_required')
  })

  test('a concurrent change loses the compare-and-set and is refused, nothing applied twice', async ({
    assert,
  }) => {
    const { project } = await projectAt('completed')
    const stale = project.state
    await Project.query().where('id', project.id).update({ state: 'evaluated' })
    const error = await db
      .transaction((trx) =>
        projectMachine.apply({
          trx,
          id: project.id,
          from: stale,
          action: 'evaluate',
          actor: { actorId: null, actorName: 'test', ip: null, roles: 'system' },
        })
      )
      .catch((e) => e)
    assert.instanceOf(error, ReviewError)
    assert.equal(error.i18nKey, 'review.lifecycle.errors.concurrent_change')
  })

  test('evaluation: indicators with target and actual, self-evaluation, rating 优良中差', async ({
    assert,
  }) => {
    const { project, applicant, reviewer } = await projectAt('completed')
    const early = (await refusal(() =>
      evaluations.rate(project.id, 'good', '好', reviewActorOf(reviewer))
    )) as ReviewError
    assert.equal(early.i18nKey, 'acceptance.errors.self_missing')
    const bad = (await refusal(() =>
      evaluations.saveSelf(
        project.id,
        { indicators: [{ key: 'usage_rate', target: 90, actual: -1 }], selfEvaluation: '' },
        reviewActorOf(applicant)
      )
    )) as ReviewFieldErrors
    assert.include(
      bad.refusals.map((r) => r.i18nKey),
      'acceptance.errors.indicator_actual'
    )
    await driveTo(project.id, 'evaluated', applicant, reviewer)
    await project.load('evaluation')
    assert.equal(project.evaluation.rating, 'good')
    assert.equal(project.evaluation.indicators[0].actual, 92)
  })

  test('the daily reminder mails unit and reviewer once a project is 12 months past acceptance', async ({
    assert,
  }) => {
    const { project, applicant } = await projectAt('completed')
    await applicant.merge({ email: 'unit@example.test' }).save()
    const reviewerWithMail = await createUser({ roles: ['reviewer'] })
    await reviewerWithMail.merge({ email: 'reviewer@example.test' }).save()
    const accepted = DateTime.fromISO('2025-03-01T00:00:00Z')
    await Project.query()
      .where('id', project.id)
      .update({ completed_at: accepted.toFormat('yyyy-MM-dd HH:mm:ss') })
    const before = await lastOutboxId()
    assert.deepEqual(await evaluations.remindOverdue(accepted.plus({ months: 11 })), [])
    assert.deepEqual(await evaluations.remindOverdue(accepted.plus({ months: 12, days: 1 })), [
      project.id,
    ])
    const queued = await outboxSince(before)
    assert.includeMembers(
      queued.map(([, address]) => address),
      ['unit@example.test', 'reviewer@example.test']
    )
    assert.deepEqual(await evaluations.remindOverdue(accepted.plus({ months: 12, days: 2 })), [])
    assert.lengthOf(await AuditEvent.query().where('action', 'review.evaluation.remind'), 1)
  })
})

async function lastOutboxId() {
  const row = await db.from('mail_outbox').max('id as id').first()
  return Number(row?.id ?? 0)
}

/** [subject, address] of the mail queued after `id`, in queue order. */
async function outboxSince(id: number): Promise<[string, string][]> {
  const rows = await db
    .from('mail_outbox')
    .where('id', '>', id)
    .orderBy('id')
    .select('subject', 'to_address')
  return rows.map((row) => [row.subject, row.to_address])
}
