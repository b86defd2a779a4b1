import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import mail from '@adonisjs/mail/services/main'
import type { ApiClient } from '@japa/api-client'
import type { Assert } from '@japa/assert'
import AuditEvent from '#core/audit/audit_event'
import type User from '#identity/models/user'
import BudgetItem from '#project_review/models/budget_item'
import PanelMember from '#project_review/models/panel_member'
import ReviewPanel from '#project_review/models/review_panel'
import type { ProjectState } from '#project_review/lifecycle'
import {
  attachRow,
  createDraft,
  createExperts,
  driveTo,
  formRows,
  reviewCast,
  stateOf,
} from '#tests/helpers/review'
import { createUnit, createUser } from '#tests/helpers/identity'

/**
 * Issue #13: the ten POST routes after 批复 (修改后通过, construction, acceptance, evaluation)
 * refuse whoever may not act, over HTTP: 403, the refusal in the audit trail, nothing changed.
 */

/** Rows that any of the ten actions would write, and the project's state. */
async function snapshot(projectId: number) {
  const count = async (table: string, column = 'project_id') => {
    const row = await db.from(table).where(column, projectId).count('* as n').first()
    return Number(row.n)
  }
  const checks = await db
    .from('acceptance_checks')
    .join(
      'acceptance_requests',
      'acceptance_requests.id',
      'acceptance_checks.acceptance_request_id'
    )
    .where('acceptance_requests.project_id', projectId)
    .count('* as n')
    .first()
  return {
    state: await stateOf(projectId),
    transitions: await count('project_transitions'),
    panels: await count('review_panels'),
    milestones: await count('project_milestones'),
    requests: await count('acceptance_requests'),
    evaluations: await count('project_evaluations'),
    checks: Number(checks.n),
  }
}

/** A form that would pass validation for each route (so a 403 cannot come from the validator). */
async function goodForm(projectId: number, path: string): Promise<Record<string, unknown>> {
  const items = await BudgetItem.query().where('project_id', projectId).orderBy('position')
  switch (path) {
    case 'revision/request':
      return { reason: '请压减硬件单价' }
    case 'revision':
      return {
        note: '已按专家意见压减',
        ...formRows(
          'lines',
          items.map((item) => ({
            budgetItemId: item.id,
            quantity: item.quantity,
            unitPrice: (item.unitPriceFen / 100).toFixed(2),
          }))
        ),
      }
    case 'construction':
      return { contractSignedOn: '2026-03-01' }
    case 'milestones':
      return { kind: 'online', happenedOn: '2026-05-01' }
    case 'acceptance':
      return {
        deliverables: '源代码、部署文档',
        securityResult: 'passed',
        trialRunSummary: '试运行平稳',
        ...formRows(
          'lines',
          items.map((item) => ({
            budgetItemId: item.id,
            settled: ((item.approvedFen ?? 0) / 100).toFixed(2),
          }))
        ),
      }
    case 'acceptance/panel':
      return { panelSize: 3, alternates: 0 }
    case 'acceptance/check':
      return { 'results[completeness]': 'pass', 'opinion': '同意通过', 'intent': 'save' }
    case 'acceptance/decide':
      return { outcome: 'pass', comment: '同意' }
    case 'evaluation/self':
      return { selfEvaluation: '运行稳定' }
    case 'evaluation/rate':
      return { rating: 'good', comment: '绩效目标基本实现' }
  }
  throw new Error(`unknown route ${path}`)
}

async function post(client: ApiClient, user: User, projectId: number, path: string) {
  return client
    .post(`/review/projects/${projectId}/${path}`)
    .header('referer', `/review/projects/${projectId}`)
    .loginAs(user)
    .form(await goodForm(projectId, path))
    .withCsrfToken()
    .redirects(0)
}

/**
 * Each (user, route) is answered 403, audited as access.denied naming the route, and the
 * project is exactly as before.
 */
async function assertRefused(
  client: ApiClient,
  assert: Assert,
  projectId: number,
  attempts: [User, string][]
) {
  const before = await snapshot(projectId)
  const deniedBefore = await AuditEvent.query().where('action', 'access.denied').count('* as n')
  for (const [user, path] of attempts) {
    const response = await post(client, user, projectId, path)
    assert.equal(
      response.status(),
      403,
      `${user.username} → ${path}: expected 403, got ${response.status()}`
    )
    const denied = await AuditEvent.query()
      .where('action', 'access.denied')
      .where('actor_id', user.id)
      .orderBy('id', 'desc')
      .firstOrFail()
    assert.include(denied.details, `/review/projects/${projectId}/${path}`)
    assert.equal(denied.outcome, 'failure')
  }
  const deniedAfter = await AuditEvent.query().where('action', 'access.denied').count('* as n')
  assert.equal(
    Number(deniedAfter[0].$extras.n) - Number(deniedBefore[0].$extras.n),
    attempts.length
  )
  assert.deepEqual(await snapshot(projectId), before)
}

/** An applicant, another unit's applicant, a reviewer, an auditor, 6 outside experts, a draft. */
async function cast() {
  const { applicant, reviewer } = await reviewCast()
  const stranger = await createUser({ roles: ['applicant'], unit: await createUnit() })
  const auditor = await createUser({ roles: ['auditor'] })
  const netadmin = await createUser({ roles: ['netadmin'] })
  const experts = await createExperts(6, { email: true })
  const draft = await createDraft(applicant)
  return { applicant, reviewer, stranger, auditor, netadmin, experts, draft }
}

async function acceptanceSeats(projectId: number) {
  const panel = await ReviewPanel.query()
    .where('project_id', projectId)
    .where('purpose', 'acceptance')
    .firstOrFail()
  return PanelMember.query().where('panel_id', panel.id).where('status', 'invited')
}

test.group('Acceptance over HTTP | who may act after 批复 (issue #13)', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(() => {
    mail.fake()
    return () => mail.restore()
  })

  test('each of the ten routes refuses another unit, the wrong role, a seatless expert and the auditor', async ({
    client,
    assert,
  }) => {
    const { applicant, reviewer, stranger, auditor, netadmin, experts, draft } = await cast()
    const id = draft.id
    const expert = experts[0].user
    const drive = (target: ProjectState) => driveTo(id, target, applicant, reviewer)

    await drive('reviewed')
    await assertRefused(client, assert, id, [
      [applicant, 'revision/request'],
      [stranger, 'revision/request'],
      [expert, 'revision/request'],
      [auditor, 'revision/request'],
    ])

    await drive('revising')
    await assertRefused(client, assert, id, [
      [stranger, 'revision'],
      [reviewer, 'revision'],
      [auditor, 'revision'],
      [netadmin, 'revision'],
    ])

    await drive('approved')
    await assertRefused(client, assert, id, [
      [stranger, 'construction'],
      [reviewer, 'construction'],
      [auditor, 'construction'],
    ])

    await drive('in_construction')
    await attachRow(id, 'trial_run', applicant)
    await attachRow(id, 'security_report', applicant)
    await assertRefused(client, assert, id, [
      [stranger, 'milestones'],
      [reviewer, 'milestones'],
      [auditor, 'milestones'],
      [stranger, 'acceptance'],
      [reviewer, 'acceptance'],
      [auditor, 'acceptance'],
    ])

    await drive('acceptance_requested')
    await assertRefused(client, assert, id, [
      [applicant, 'acceptance/panel'],
      [stranger, 'acceptance/panel'],
      [expert, 'acceptance/panel'],
      [auditor, 'acceptance/panel'],
    ])

    await drive('acceptance_review')
    const seats = await acceptanceSeats(id)
    const seated = new Set(seats.map((seat) => seat.userId))
    // A review-panel expert (a real expert account) who holds no acceptance seat.
    const seatless = experts.find(({ user }) => !seated.has(user.id))!.user
    const sitting = experts.find(({ user }) => seated.has(user.id))!.user
    await assertRefused(client, assert, id, [
      [seatless, 'acceptance/check'],
      [applicant, 'acceptance/check'],
      [reviewer, 'acceptance/check'],
      [auditor, 'acceptance/check'],
      [applicant, 'acceptance/decide'],
      [sitting, 'acceptance/decide'],
      [auditor, 'acceptance/decide'],
    ])
    // The same form from a seated expert is taken: the refusals above were about the seat.
    const saved = await post(client, sitting, id, 'acceptance/check')
    saved.assertStatus(302)
    saved.assertHeader('location', `/review/projects/${id}#acceptance`)
    const afterCheck = await snapshot(id)
    assert.equal(afterCheck.checks, 1)

    await drive('completed')
    await assertRefused(client, assert, id, [
      [stranger, 'evaluation/self'],
      [reviewer, 'evaluation/self'],
      [auditor, 'evaluation/self'],
      [applicant, 'evaluation/rate'],
      [sitting, 'evaluation/rate'],
      [auditor, 'evaluation/rate'],
    ])
    assert.equal(await stateOf(id), 'completed')
  })

  test('the rightful actors get through the same routes (the refusals are not the form)', async ({
    client,
    assert,
  }) => {
    const { applicant, reviewer, draft } = await cast()
    const id = draft.id
    await driveTo(id, 'reviewed', applicant, reviewer)
    const requested = await post(client, reviewer, id, 'revision/request')
    requested.assertStatus(302)
    assert.equal(await stateOf(id), 'revising')
    const revised = await post(client, applicant, id, 'revision')
    revised.assertStatus(302)
    assert.equal(await stateOf(id), 'revised')
    await driveTo(id, 'approved', applicant, reviewer)
    const started = await post(client, applicant, id, 'construction')
    started.assertStatus(302)
    assert.equal(await stateOf(id), 'in_construction')
    const { milestones: before } = await snapshot(id)
    const milestone = await post(client, applicant, id, 'milestones')
    milestone.assertStatus(302)
    const { milestones: after } = await snapshot(id)
    assert.equal(after, before + 1)
  })

  test('bad input over the form: not approved, a line not in the budget, a negative settlement — Chinese message, nothing written', async ({
    client,
    assert,
  }) => {
    const { applicant, reviewer, draft } = await cast()
    const id = draft.id
    await driveTo(id, 'reviewed', applicant, reviewer)
    const early = await post(client, applicant, id, 'acceptance')
    early.assertStatus(302)
    early.assertHeader('location', `/review/projects/${id}`)
    assert.match(JSON.stringify(early.flashMessages()), /申请验收/)
    assert.deepInclude(await snapshot(id), { state: 'reviewed', requests: 0 })

    await driveTo(id, 'in_construction', applicant, reviewer)
    await attachRow(id, 'trial_run', applicant)
    await attachRow(id, 'security_report', applicant)
    const items = await BudgetItem.query().where('project_id', id).orderBy('position')
    const other = await createDraft(applicant)
    const [foreign] = await BudgetItem.query().where('project_id', other.id)
    const base = {
      deliverables: '源代码、部署文档',
      securityResult: 'passed',
      trialRunSummary: '试运行平稳',
    }
    const lines = items.map((item) => ({
      budgetItemId: item.id,
      settled: ((item.approvedFen ?? 0) / 100).toFixed(2),
    }))
    const send = (rows: Record<string, unknown>[]) =>
      client
        .post(`/review/projects/${id}/acceptance`)
        .header('referer', `/review/projects/${id}`)
        .loginAs(applicant)
        .form({ ...base, ...formRows('lines', rows) })
        .withCsrfToken()
        .redirects(0)

    const foreignLine = await send([...lines, { budgetItemId: foreign.id, settled: '1.00' }])
    foreignLine.assertStatus(302)
    const foreignText = JSON.stringify(foreignLine.flashMessages())
    assert.match(foreignText, /[\u4e00-\u9fff]/)
    assert.include(foreignText, '不在批复预算中')

    const negative = await send(
      lines.map((line, i) => (i === 0 ? { ...line, settled: '-1' } : line))
    )
    negative.assertStatus(302)
    const negativeText = JSON.stringify(negative.flashMessages())
    assert.match(negativeText, /负数|不能小于|不得小于/)

    assert.deepInclude(await snapshot(id), { state: 'in_construction', requests: 0 })
    const settlement = await db.from('settlement_lines').count('* as n').first()
    assert.equal(Number(settlement.n), 0)
  })
})
