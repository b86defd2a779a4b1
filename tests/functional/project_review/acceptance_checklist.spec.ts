import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import mail from '@adonisjs/mail/services/main'
import type { ApiClient } from '@japa/api-client'
import User from '#identity/models/user'
import AcceptanceCheck from '#project_review/models/acceptance_check'
import Expert from '#project_review/models/expert'
import PanelMember from '#project_review/models/panel_member'
import ReviewPanel from '#project_review/models/review_panel'
import { DEFAULT_ACCEPTANCE_CHECKLIST } from '#project_review/domain/forms'
import { createDraft, createExperts, driveTo, reviewCast } from '#tests/helpers/review'

/**
 * Issue #13 (forms as data): an acceptance expert's checklist is submitted only when every item
 * is answered 通过/不通过, each 不通过 has its note, and there is an opinion; each gap is named in
 * Chinese next to its item; a draft may be saved half done; a submitted checklist is final.
 */

async function seatedExpert(projectId: number) {
  const panel = await ReviewPanel.query()
    .where('project_id', projectId)
    .where('purpose', 'acceptance')
    .firstOrFail()
  const [seat] = await PanelMember.query()
    .where('panel_id', panel.id)
    .where('status', 'invited')
    .orderBy('draw_order')
  return User.findOrFail(seat.userId!)
}

function sendCheck(
  client: ApiClient,
  expert: User,
  projectId: number,
  fields: Record<string, string>
) {
  return client
    .post(`/review/projects/${projectId}/acceptance/check`)
    .header('referer', `/review/projects/${projectId}`)
    .loginAs(expert)
    .form(fields)
    .withCsrfToken()
    .redirects(0)
}

test.group('Acceptance checklist rules', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(() => {
    mail.fake()
    return () => mail.restore()
  })

  test('every item answered, a note on each 不通过, an opinion — or a Chinese message per gap', async ({
    client,
    assert,
  }) => {
    const { applicant, reviewer } = await reviewCast()
    await createExperts(6)
    const draft = await createDraft(applicant)
    await driveTo(draft.id, 'acceptance_review', applicant, reviewer)
    const expert = await seatedExpert(draft.id)
    const { id: expertRowId } = await Expert.findByOrFail('user_id', expert.id)
    const [first, second, ...rest] = DEFAULT_ACCEPTANCE_CHECKLIST.items

    // Submitted half done: the first item unanswered, the second failed without a note, no opinion.
    const partial: Record<string, string> = { [`results[${second.key}]`]: 'fail', intent: 'submit' }
    for (const item of rest) partial[`results[${item.key}]`] = 'pass'
    const refused = await sendCheck(client, expert, draft.id, partial)
    refused.assertStatus(302)
    const messages = JSON.stringify(refused.flashMessages())
    assert.include(messages, `请对“${first.label}”选择通过或不通过。`)
    assert.include(messages, `“${second.label}”不通过，请说明原因。`)
    assert.include(messages, '请填写验收意见。')
    const notYet = await AcceptanceCheck.query().where('expert_id', expertRowId)
    assert.isTrue(
      notYet.every((row) => row.isEditable),
      'nothing submitted'
    )

    // The same half-done form may be saved as a draft.
    const saved = await sendCheck(client, expert, draft.id, { ...partial, intent: 'save' })
    saved.assertStatus(302)
    assert.notInclude(JSON.stringify(saved.flashMessages()), '请对')
    const drafted = await AcceptanceCheck.query().where('expert_id', expertRowId).firstOrFail()
    assert.isTrue(drafted.isEditable)

    // Complete: submitted and final.
    const complete = {
      ...partial,
      [`results[${first.key}]`]: 'pass',
      [`notes[${second.key}]`]: '缺少运维手册',
      opinion: '整改后可通过',
      intent: 'submit',
    }
    const submitted = await sendCheck(client, expert, draft.id, complete)
    submitted.assertStatus(302)
    await drafted.refresh()
    assert.isFalse(drafted.isEditable)
    assert.equal(drafted.opinion, '整改后可通过')

    const again = await sendCheck(client, expert, draft.id, { ...complete, opinion: '改主意了' })
    again.assertStatus(302)
    assert.include(JSON.stringify(again.flashMessages()), '验收检查表已提交，不能再修改。')
    await drafted.refresh()
    assert.equal(drafted.opinion, '整改后可通过')
  })
})
