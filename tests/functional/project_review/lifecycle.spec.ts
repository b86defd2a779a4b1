import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import i18nManager from '@adonisjs/i18n/services/main'
import AuditEvent from '#core/audit/audit_event'
import Project from '#project_review/models/project'
import ProjectTransition from '#project_review/models/project_transition'
import { ReviewError } from '#project_review/errors'
import { TRANSITIONS, checkTransition, PROJECT_STATES } from '#project_review/lifecycle'
import proposals from '#project_review/services/proposals'
import precheck from '#project_review/services/precheck'
import decisions from '#project_review/services/decisions'
import { reviewActorOf } from '#project_review/services/actor'
import { acceptedProject, createDraft, reviewCast, stateOf } from '#tests/helpers/review'

async function refusal(action: () => Promise<unknown>): Promise<ReviewError> {
  try {
    await action()
  } catch (error) {
    if (error instanceof ReviewError) return error
    throw error
  }
  throw new Error('expected the action to be refused')
}

function zh(error: ReviewError) {
  return i18nManager.locale('zh-CN').t(error.i18nKey, error.values)
}

test.group('Project lifecycle | transition table', () => {
  test('every transition leads to a known state and names its actor role', ({ assert }) => {
    for (const rule of Object.values(TRANSITIONS)) {
      assert.include(PROJECT_STATES, rule.to)
      for (const from of rule.from) assert.include(PROJECT_STATES, from)
      assert.isString(rule.role)
    }
  })

  test('terminal states allow nothing further', ({ assert }) => {
    for (const state of ['rejected', 'declined', 'evaluated'] as const) {
      for (const action of Object.keys(TRANSITIONS) as (keyof typeof TRANSITIONS)[]) {
        assert.equal(checkTransition(state, action, 'system'), 'illegal_state')
      }
    }
  })

  test('return needs itemised reasons, reject and decline need a reason', ({ assert }) => {
    assert.equal(checkTransition('submitted', 'return', ['reviewer']), 'reason_required')
    assert.equal(
      checkTransition('submitted', 'return', ['reviewer'], { reasons: ['  '] }),
      'reason_required'
    )
    assert.isNull(checkTransition('submitted', 'return', ['reviewer'], { reasons: ['缺少可研'] }))
    assert.equal(checkTransition('submitted', 'reject', ['reviewer']), 'reason_required')
    assert.equal(
      checkTransition('reviewed', 'decline', ['reviewer'], { reason: '' }),
      'reason_required'
    )
  })

  test('only the role the table names may take a transition', ({ assert }) => {
    assert.equal(checkTransition('submitted', 'accept', ['applicant']), 'wrong_role')
    assert.equal(checkTransition('draft', 'submit', ['reviewer']), 'wrong_role')
    assert.isNull(checkTransition('draft', 'submit', ['applicant']))
  })
})

test.group('Project lifecycle | actions', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('submit, return for correction, resubmit and accept leave a timeline and an audit trail', async ({
    assert,
  }) => {
    const { applicant, reviewer } = await reviewCast()
    const draft = await createDraft(applicant)
    await proposals.submit(draft.id, reviewActorOf(applicant))
    await precheck.returnForCorrection(
      draft.id,
      ['缺少可行性研究报告', '等保级别与系统定位不符'],
      reviewActorOf(reviewer)
    )
    let project = await Project.findOrFail(draft.id)
    assert.equal(project.state, 'returned')
    assert.equal(project.returnCount, 1)
    await proposals.submit(draft.id, reviewActorOf(applicant))
    await precheck.accept(draft.id, reviewActorOf(reviewer))
    project = await Project.findOrFail(draft.id)
    assert.equal(project.state, 'accepted')

    const steps = await ProjectTransition.query().where('project_id', draft.id).orderBy('id')
    assert.deepEqual(
      steps.map((step) => [step.action, step.fromState, step.toState]),
      [
        ['submit', 'draft', 'submitted'],
        ['return', 'submitted', 'returned'],
        ['submit', 'returned', 'submitted'],
        ['accept', 'submitted', 'accepted'],
      ]
    )
    assert.deepEqual(steps[1].reasons, ['缺少可行性研究报告', '等保级别与系统定位不符'])
    assert.equal(steps[1].actorId, reviewer.id)
    const audited = await AuditEvent.query()
      .where('target_type', 'project')
      .where('target_id', String(draft.id))
      .where('action', 'like', 'review.project.%')
      .orderBy('id')
    assert.deepEqual(
      audited.map((event) => event.action),
      [
        'review.project.submit',
        'review.project.return',
        'review.project.submit',
        'review.project.accept',
      ]
    )
  })

  test('accepting a draft is refused with a Chinese message and changes nothing', async ({
    assert,
  }) => {
    const { applicant, reviewer } = await reviewCast()
    const draft = await createDraft(applicant)
    const error = await refusal(() => precheck.accept(draft.id, reviewActorOf(reviewer)))
    assert.equal(error.i18nKey, 'review.lifecycle.errors.illegal_state')
    assert.include(zh(error), '草稿')
    assert.include(zh(error), '受理')
    assert.equal(await stateOf(draft.id), 'draft')
    assert.lengthOf(await ProjectTransition.query().where('project_id', draft.id), 0)
  })

  test('an applicant cannot accept their own proposal', async ({ assert }) => {
    const { applicant } = await reviewCast()
    const draft = await createDraft(applicant)
    await proposals.submit(draft.id, reviewActorOf(applicant))
    const error = await refusal(() => precheck.accept(draft.id, reviewActorOf(applicant)))
    assert.equal(error.i18nKey, 'review.lifecycle.errors.wrong_role')
    assert.equal(await stateOf(draft.id), 'submitted')
  })

  test('a submitted proposal is frozen until it is returned', async ({ assert }) => {
    const { applicant } = await reviewCast()
    const draft = await createDraft(applicant)
    await proposals.submit(draft.id, reviewActorOf(applicant))
    const error = await refusal(() =>
      proposals.update(
        draft.id,
        { title: '改过的标题', year: 2026, category: 'new' },
        reviewActorOf(applicant)
      )
    )
    assert.equal(error.i18nKey, 'review.proposals.errors.frozen')
    const unchanged = await Project.findOrFail(draft.id)
    assert.notEqual(unchanged.title, '改过的标题')
  })

  test('a proposal without budget lines cannot be submitted', async ({ assert }) => {
    const { applicant } = await reviewCast()
    const draft = await createDraft(applicant, { items: [] })
    const error = await refusal(() => proposals.submit(draft.id, reviewActorOf(applicant)))
    assert.equal(error.i18nKey, 'review.proposals.errors.incomplete')
    assert.include(error.labels.fields, 'review.fields.items')
    assert.equal(await stateOf(draft.id), 'draft')
  })

  test('a reviewer cannot approve before the panel is closed', async ({ assert }) => {
    const { applicant, reviewer } = await reviewCast()
    const project = await acceptedProject(applicant, reviewer)
    const error = await refusal(() =>
      decisions.approve(project.id, [], null, reviewActorOf(reviewer))
    )
    assert.equal(error.i18nKey, 'review.lifecycle.errors.illegal_state')
    assert.equal(await stateOf(project.id), 'accepted')
  })

  test('rejecting needs a reason and is final', async ({ assert }) => {
    const { applicant, reviewer } = await reviewCast()
    const draft = await createDraft(applicant)
    await proposals.submit(draft.id, reviewActorOf(applicant))
    const missing = await refusal(() => precheck.reject(draft.id, ' ', reviewActorOf(reviewer)))
    assert.equal(missing.i18nKey, 'review.lifecycle.errors.reason_required')
    await precheck.reject(draft.id, '不属于信息化项目', reviewActorOf(reviewer))
    assert.equal(await stateOf(draft.id), 'rejected')
    const resubmit = await refusal(() => proposals.submit(draft.id, reviewActorOf(applicant)))
    assert.equal(resubmit.i18nKey, 'review.proposals.errors.frozen')
  })
})
