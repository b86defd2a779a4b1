import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { mailOutbox } from '#core/mail/outbox'
import OutboxMail from '#core/mail/outbox_mail'
import AuditEvent from '#core/audit/audit_event'
import Expert from '#project_review/models/expert'
import ReviewPanel from '#project_review/models/review_panel'
import PanelMember from '#project_review/models/panel_member'
import ScoreSheet from '#project_review/models/score_sheet'
import panels from '#project_review/services/panels'
import sheets from '#project_review/services/sheets'
import decisions from '#project_review/services/decisions'
import { reviewActorOf } from '#project_review/services/actor'
import { assertNotIncludes } from '#tests/helpers/http'
import {
  acceptedProject,
  createExperts,
  decodedText,
  reviewCast,
  sittingExperts,
  startMailCatcher,
  stateOf,
  submitSheet,
} from '#tests/helpers/review'
import { createUser } from '#tests/helpers/identity'

async function drawnProject(
  options: { experts?: number; alternates?: number; email?: boolean } = {}
) {
  const cast = await reviewCast()
  const project = await acceptedProject(cast.applicant, cast.reviewer)
  await createExperts(options.experts ?? 7, { email: options.email ?? false })
  const panel = await panels.draw(
    project.id,
    { panelSize: 5, alternates: options.alternates ?? 2, specialties: [] },
    reviewActorOf(cast.reviewer)
  )
  return { ...cast, project, panel }
}

function stateCells(html: string) {
  return [...html.matchAll(/class="seat-state" data-state="(\w+)"/g)].map(([, state]) => state)
}

test.group('Panel seats | real states', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('the panel table shows 已邀请 / 已声明 / 已提交 per seat and the expert page follows', async ({
    client,
  }) => {
    const { reviewer, project } = await drawnProject({ alternates: 0, experts: 5 })
    const [first, second] = await sittingExperts(project.id)
    await submitSheet(project.id, first.user, first.member.id)
    await sheets.declareNoConflict(second.member.id, reviewActorOf(second.user))

    const page = await client.get(`/review/projects/${project.id}`).loginAs(reviewer)
    const states = stateCells(page.text())
    if (
      JSON.stringify(states) !==
      JSON.stringify(['submitted', 'declared', 'invited', 'invited', 'invited'])
    ) {
      throw new Error(`unexpected seat states ${states.join(',')}`)
    }
    page.assertTextIncludes('已提交')
    page.assertTextIncludes('已声明')

    const mine = await client.get(`/review/projects/${project.id}`).loginAs(first.user)
    mine.assertTextIncludes('您的评审表已提交')
    assertNotIncludes(mine, '请声明无利害关系并填写评审表')
    const declared = await client.get(`/review/projects/${project.id}`).loginAs(second.user)
    declared.assertTextIncludes('请填写并提交评审表')
  })
})

test.group('Panel seats | withdrawing a silent expert (撤换)', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('the reviewer withdraws a silent expert with a reason; the alternate is invited; both are e-mailed; audited', async ({
    client,
    assert,
  }) => {
    const catcher = await startMailCatcher()
    try {
      const { reviewer, project, panel } = await drawnProject({ email: true })
      const sitting = await sittingExperts(project.id)
      const silent = sitting[4]
      await mailOutbox().deliverDue()
      catcher.messages.length = 0
      const response = await client
        .post(`/review/members/${silent.member.id}/withdraw`)
        .header('referer', `/review/projects/${project.id}`)
        .loginAs(reviewer)
        .form({
          memberId: String(silent.member.id),
          withdrawReason: '两周未答复邀请，电话无法联系',
        })
        .withCsrfToken()
      const alternate = await Expert.findOrFail(panel.result.alternates[0])
      response.assertTextIncludes(
        `已撤换专家 ${silent.expert.name}，候补专家 ${alternate.name} 已被邀请。`
      )
      response.assertTextIncludes('已撤换')
      response.assertTextIncludes('两周未答复邀请，电话无法联系')

      const withdrawn = await PanelMember.findOrFail(silent.member.id)
      assert.equal(withdrawn.status, 'withdrawn')
      assert.equal(withdrawn.withdrawReason, '两周未答复邀请，电话无法联系')
      const called = await PanelMember.query()
        .where('panel_id', panel.id)
        .where('expert_id', alternate.id)
        .firstOrFail()
      assert.equal(called.status, 'invited')

      await mailOutbox().deliverDue()
      const recipients = catcher.messages.flatMap((message) => message.to)
      assert.sameMembers(recipients, [silent.expert.email!, alternate.email!])
      const notice = catcher.messages.find((message) => message.to.includes(silent.expert.email!))!
      assert.include(decodedText(notice.raw), '两周未答复邀请，电话无法联系')
      assert.include(decodedText(notice.raw), '撤换')

      const event = await AuditEvent.query().where('action', 'review.panel.withdraw').firstOrFail()
      assert.include(JSON.stringify(event.details), '两周未答复邀请')

      // The panel is no longer stuck: the four others and the alternate submit, the reviewer closes.
      for (const seat of await sittingExperts(project.id)) {
        await submitSheet(project.id, seat.user, seat.member.id)
      }
      await decisions.closePanel(project.id, reviewActorOf(reviewer))
      assert.equal(await stateOf(project.id), 'reviewed')
    } finally {
      await catcher.stop()
    }
  })

  test('withdrawing needs a reason and never touches a submitted sheet', async ({
    client,
    assert,
  }) => {
    const { reviewer, project } = await drawnProject()
    const [first, second] = await sittingExperts(project.id)
    const noReason = await client
      .post(`/review/members/${first.member.id}/withdraw`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(reviewer)
      .form({ memberId: String(first.member.id), withdrawReason: '' })
      .withCsrfToken()
    noReason.assertTextIncludes('请填写撤换理由。')
    const stillSitting = await PanelMember.findOrFail(first.member.id)
    assert.equal(stillSitting.status, 'invited')

    await submitSheet(project.id, second.user, second.member.id)
    const refused = await client
      .post(`/review/members/${second.member.id}/withdraw`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(reviewer)
      .form({ withdrawReason: '测试撤换已提交专家' })
      .withCsrfToken()
    refused.assertTextIncludes('该专家已提交评审表，不能撤换')
    const sheet = await ScoreSheet.query().where('expert_id', second.expert.id).firstOrFail()
    assert.equal(sheet.status, 'submitted')
  })

  test('only a reviewer can withdraw', async ({ client, assert }) => {
    const { project } = await drawnProject()
    const [first, second] = await sittingExperts(project.id)
    const response = await client
      .post(`/review/members/${first.member.id}/withdraw`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(second.user)
      .form({ withdrawReason: '同组专家不能撤换别人' })
      .withCsrfToken()
    response.assertStatus(403)
    const stillSitting = await PanelMember.findOrFail(first.member.id)
    assert.equal(stillSitting.status, 'invited')
  })
})

test.group('Panel seats | one person, one seat', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('re-linking the login of an expert holding an open seat is refused', async ({
    client,
    assert,
  }) => {
    const { project } = await drawnProject()
    const admin = await createUser({ roles: ['sysadmin'] })
    const [first, second] = await sittingExperts(project.id)
    const spare = await createUser({ roles: ['expert'] })
    // Unlink the second expert, then try to give the first expert's seat a different login.
    const response = await client
      .put(`/review/experts/${first.expert.id}`)
      .header('referer', `/review/experts/${first.expert.id}/edit`)
      .loginAs(admin)
      .form({
        'name': first.expert.name,
        'employer': first.expert.employer,
        'specialties[]': first.expert.specialties,
        'yearlyCap': String(first.expert.yearlyCap),
        'userId': String(spare.id),
      })
      .withCsrfToken()
    response.assertTextIncludes(`专家 ${first.expert.name} 正在评审项目`)
    const unchanged = await Expert.findOrFail(first.expert.id)
    assert.equal(unchanged.userId, first.user.id)
    assert.equal(second.member.userId, second.user.id)
  })

  test('the database refuses a second seat for the same login on one panel', async ({ assert }) => {
    const { project, panel } = await drawnProject()
    const [first] = await sittingExperts(project.id)
    const [extra] = await createExperts(1)
    await assert.rejects(() =>
      PanelMember.create({
        panelId: panel.id,
        expertId: extra.expert.id,
        userId: first.user.id,
        drawOrder: 99,
        seat: 'alternate',
        status: 'standby',
      })
    )
    const stored = await ReviewPanel.query().where('id', panel.id).preload('members').firstOrFail()
    assert.lengthOf(stored.members, 7)
  })

  test('a login that is not the seat holder cannot open the seat, even if linked to its expert', async ({
    assert,
  }) => {
    const { project } = await drawnProject()
    const [first] = await sittingExperts(project.id)
    // Simulate a re-link done behind the application's back (direct SQL).
    const intruder = await createUser({ roles: ['expert'] })
    await Expert.query().where('id', first.expert.id).update({ user_id: intruder.id })
    await assert.rejects(() => sheets.declareNoConflict(first.member.id, reviewActorOf(intruder)))
  })
})

test.group('Panel draw page | for a reviewer', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('复核 replays the draw on the server and says 一致, or 不一致 when the record was altered', async ({
    client,
  }) => {
    const { reviewer, project, panel } = await drawnProject()
    const same = await client
      .post(`/review/projects/${project.id}/panel/verify`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(reviewer)
      .withCsrfToken()
    same.assertTextIncludes('复核结果：一致')

    panel.result = { ...panel.result, panel: [...panel.result.panel].reverse() }
    await panel.save()
    const different = await client
      .post(`/review/projects/${project.id}/panel/verify`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(reviewer)
      .withCsrfToken()
    different.assertTextIncludes('复核结果：不一致')
  })

  test('the draw flash counts queued and failed invitations; a refused mail is failed in the outbox and can be sent again', async ({
    client,
    assert,
  }) => {
    let refusing = true
    const catcher = await startMailCatcher({ refuse: () => refusing })
    try {
      const cast = await reviewCast()
      const accepted = await acceptedProject(cast.applicant, cast.reviewer)
      await createExperts(3, { email: true })
      await createExperts(2)
      const drawn = await client
        .post(`/review/projects/${accepted.id}/panel`)
        .header('referer', `/review/projects/${accepted.id}`)
        .loginAs(cast.reviewer)
        .form({ panelSize: '5', alternates: '0' })
        .withCsrfToken()
      // three invitations go to the outbox, two experts have no address
      drawn.assertTextIncludes('邀请邮件 3 封已发送，2 封发送失败')
      assert.lengthOf(drawn.text().match(/无邮箱/g) ?? [], 2)

      // the mail server refuses the mailboxes: the mail is failed in the outbox, not lost
      await mailOutbox().deliverDue()
      const failed = await OutboxMail.query().where('status', 'failed').orderBy('id')
      assert.lengthOf(failed, 3)
      assert.isTrue(failed.every((row) => row.kind === 'review.invitation'))

      refusing = false
      const admin = await createUser({ roles: ['sysadmin'] })
      const again = await client
        .post(`/admin/mail/${failed[0].id}/resend`)
        .header('referer', '/admin/mail')
        .loginAs(admin)
        .withCsrfToken()
      again.assertTextIncludes(`邮件 #${failed[0].id} 已重新加入发送队列`)
      await mailOutbox().deliverDue()
      assert.deepEqual(
        catcher.messages.map((message) => message.to),
        [[failed[0].toAddress]]
      )
    } finally {
      await catcher.stop()
    }
  })
})
