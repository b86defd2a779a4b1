import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { mailOutbox } from '#core/mail/outbox'
import ace from '@adonisjs/core/services/ace'
import AuditEvent from '#core/audit/audit_event'
import Expert from '#project_review/models/expert'
import ReviewPanel from '#project_review/models/review_panel'
import PanelMember from '#project_review/models/panel_member'
import panels from '#project_review/services/panels'
import { reviewActorOf } from '#project_review/services/actor'
import ReviewReplayDraw from '#commands/review_replay_draw'
import { assertNotIncludes } from '#tests/helpers/http'
import {
  acceptedProject,
  createExperts,
  decodedText,
  reviewCast,
  sittingExperts,
  startMailCatcher,
  stateOf,
  assertStatus,
} from '#tests/helpers/review'
import { createUser } from '#tests/helpers/identity'

const DRAW = { panelSize: '5', alternates: '2' }

test.group('Expert pool (专家库)', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('a reviewer adds an expert linked to an expert login; the change is audited', async ({
    client,
    assert,
  }) => {
    const reviewer = await createUser({ roles: ['reviewer'] })
    const login = await createUser({ roles: ['expert'], username: 'zhuanjia_wang' })
    const response = await client
      .post('/review/experts')
      .header('referer', '/review/experts/new')
      .loginAs(reviewer)
      .form({
        'name': '王工',
        'employer': '省信息技术研究院',
        'specialties[]': ['security', 'software'],
        'phone': '0571-8888888',
        'email': 'wang@example.test',
        'yearlyCap': '8',
        'userId': String(login.id),
      })
      .withCsrfToken()
      .redirects(0)
    response.assertHeader('location', '/review/experts')
    const expert = await Expert.findByOrFail('name', '王工')
    assert.deepEqual(expert.specialties, ['security', 'software'])
    assert.equal(expert.userId, login.id)
    assert.equal(expert.yearlyCap, 8)
    assert.isNotNull(await AuditEvent.query().where('action', 'review.expert.create').first())
    const list = await client.get('/review/experts?specialty=security').loginAs(reviewer)
    list.assertTextIncludes('王工')
    list.assertTextIncludes('zhuanjia_wang')
  })

  test('an account without the expert role cannot be linked', async ({ client, assert }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    const applicant = await createUser({ roles: ['applicant'] })
    const response = await client
      .post('/review/experts')
      .header('referer', '/review/experts/new')
      .loginAs(admin)
      .form({
        'name': '李工',
        'employer': '某大学',
        'specialties[]': ['data'],
        'yearlyCap': '5',
        'userId': String(applicant.id),
      })
      .withCsrfToken()
    response.assertTextIncludes('所选账户没有“评审专家”角色')
    assert.isNull(await Expert.findBy('name', '李工'))
  })

  test('an expert needs at least one specialty', async ({ client }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    const response = await client
      .post('/review/experts')
      .header('referer', '/review/experts/new')
      .loginAs(admin)
      .form({ name: '赵工', employer: '某大学', yearlyCap: '5' })
      .withCsrfToken()
    response.assertTextIncludes('请至少选择一个专业')
  })

  test('applicants and experts cannot open the expert pool', async ({ client }) => {
    const applicant = await createUser({ roles: ['applicant'] })
    const expert = await createUser({ roles: ['expert'] })
    await assertStatus(client.get('/review/experts').loginAs(applicant), 403)
    await assertStatus(client.get('/review/experts').loginAs(expert), 403)
  })

  test('a disabled expert is never drawn', async ({ assert }) => {
    const { applicant, reviewer } = await reviewCast()
    const project = await acceptedProject(applicant, reviewer)
    const pool = await createExperts(6)
    pool[0].expert.isActive = false
    await pool[0].expert.save()
    const panel = await panels.draw(
      project.id,
      { panelSize: 5, alternates: 0, specialties: [] },
      reviewActorOf(reviewer)
    )
    assert.notInclude(panel.result.panel, pool[0].expert.id)
    assert.deepInclude(panel.result.excluded, { id: pool[0].expert.id, reason: 'inactive' })
  })
})

test.group('Random panel draw (随机抽取)', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('the reviewer draws 5 experts and 2 alternates; invitations reach a real SMTP server', async ({
    client,
    assert,
  }) => {
    const catcher = await startMailCatcher()
    try {
      const { applicant, reviewer } = await reviewCast()
      const project = await acceptedProject(applicant, reviewer)
      await createExperts(8, { email: true })
      const response = await client
        .post(`/review/projects/${project.id}/panel`)
        .header('referer', `/review/projects/${project.id}`)
        .loginAs(reviewer)
        .form(DRAW)
        .withCsrfToken()
        .redirects(0)
      response.assertStatus(302)
      await mailOutbox().deliverDue()
      const panel = await ReviewPanel.findByOrFail('project_id', project.id)
      assert.lengthOf(panel.result.panel, 5)
      assert.lengthOf(panel.result.alternates, 2)
      assert.lengthOf(panel.candidates, 8)
      assert.match(panel.seed, /^[0-9a-f]{64}$/)
      assert.equal(await stateOf(project.id), 'panel_drawn')

      assert.lengthOf(catcher.messages, 5)
      const invited = await Expert.query().whereIn('id', panel.result.panel)
      assert.sameMembers(
        catcher.messages.flatMap((message) => message.to),
        invited.map((expert) => expert.email!)
      )
      const text = decodedText(catcher.messages[0].raw)
      assert.include(text, '评审邀请')
      assert.include(text, project.title)
      const members = await PanelMember.query()
        .where('panel_id', panel.id)
        .where('status', 'invited')
      assert.isTrue(members.every((member) => member.notifiedAt !== null))

      const page = await client.get(`/review/projects/${project.id}`).loginAs(reviewer)
      page.assertTextIncludes(panel.seed)
      page.assertTextIncludes('候选专家 <b id="draw-candidates">8</b>')
      page.assertTextIncludes('id="verify-draw"')
      assertNotIncludes(page, 'review:replay-draw')
      assertNotIncludes(page, 'hmac-sha256-fisher-yates-v1')
    } finally {
      await catcher.stop()
    }
  })

  test('too few eligible experts refuses the draw and nothing is half-drawn', async ({
    client,
    assert,
  }) => {
    const { applicant, reviewer } = await reviewCast()
    const project = await acceptedProject(applicant, reviewer)
    await createExperts(3)
    const response = await client
      .post(`/review/projects/${project.id}/panel`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(reviewer)
      .form(DRAW)
      .withCsrfToken()
    response.assertTextIncludes('符合条件的专家只有 3 名，少于所需的 5 名，本次未抽取任何专家')
    assert.isNull(await ReviewPanel.findBy('project_id', project.id))
    assert.equal(await stateOf(project.id), 'accepted')
  })

  test('an expert working for the applicant unit, or who declared a conflict with it, is never drawn', async ({
    assert,
  }) => {
    const { unit, applicant, reviewer } = await reviewCast()
    const project = await acceptedProject(applicant, reviewer)
    const [colleague] = await createExperts(1, { employerUnit: unit })
    const [declared] = await createExperts(1)
    declared.expert.conflictUnitIds = [unit.id]
    await declared.expert.save()
    await createExperts(5)
    const panel = await panels.draw(
      project.id,
      { panelSize: 5, alternates: 0, specialties: [] },
      reviewActorOf(reviewer)
    )
    assert.notIncludeMembers(panel.result.panel, [colleague.expert.id, declared.expert.id])
    assert.deepInclude(panel.result.excluded, { id: colleague.expert.id, reason: 'same_employer' })
    assert.deepInclude(panel.result.excluded, {
      id: declared.expert.id,
      reason: 'declared_conflict',
    })
  })

  test('only experts with a requested specialty are drawn', async ({ assert }) => {
    const { applicant, reviewer } = await reviewCast()
    const project = await acceptedProject(applicant, reviewer)
    const finance = await createExperts(5, { specialties: ['finance'] })
    await createExperts(4, { specialties: ['hardware'] })
    const panel = await panels.draw(
      project.id,
      { panelSize: 5, alternates: 0, specialties: ['finance'] },
      reviewActorOf(reviewer)
    )
    assert.sameMembers(
      panel.result.panel,
      finance.map(({ expert }) => expert.id)
    )
  })

  test('review:replay-draw reproduces the recorded panel from its seed', async () => {
    const { applicant, reviewer } = await reviewCast()
    const project = await acceptedProject(applicant, reviewer)
    await createExperts(9)
    const panel = await panels.draw(
      project.id,
      { panelSize: 5, alternates: 2, specialties: [] },
      reviewActorOf(reviewer)
    )
    const command = await ace.create(ReviewReplayDraw, [String(project.id)])
    await command.exec()
    command.assertSucceeded()
    command.assertLogMatches(/复现结果与记录一致/)
    command.assertLogMatches(new RegExp(panel.result.panel.join(', ')))

    panel.result = { ...panel.result, panel: [...panel.result.panel].reverse() }
    await panel.save()
    const tampered = await ace.create(ReviewReplayDraw, [String(project.id)])
    await tampered.exec()
    tampered.assertFailed()
    tampered.assertLogMatches(/不一致/)
  })

  test('an expert declines with a reason and the next alternate is invited by e-mail', async ({
    client,
    assert,
  }) => {
    const { applicant, reviewer } = await reviewCast()
    const project = await acceptedProject(applicant, reviewer)
    await createExperts(7, { email: true })
    const catcher = await startMailCatcher()
    try {
      const panel = await panels.draw(
        project.id,
        { panelSize: 5, alternates: 2, specialties: [] },
        reviewActorOf(reviewer)
      )
      await mailOutbox().deliverDue()
      assert.lengthOf(catcher.messages, 5)
      const [first] = await sittingExperts(project.id)
      const response = await client
        .post(`/review/members/${first.member.id}/decline`)
        .header('referer', '/review/tasks')
        .loginAs(first.user)
        .form({ reason: '与申报单位存在业务合作，申请回避' })
        .withCsrfToken()
        .redirects(0)
      response.assertHeader('location', '/review/tasks')
      const declined = await PanelMember.findOrFail(first.member.id)
      assert.equal(declined.status, 'declined')
      assert.equal(declined.declineReason, '与申报单位存在业务合作，申请回避')
      const alternate = await PanelMember.query()
        .where('panel_id', panel.id)
        .where('expert_id', panel.result.alternates[0])
        .firstOrFail()
      assert.equal(alternate.status, 'invited')
      await mailOutbox().deliverDue()
      assert.lengthOf(catcher.messages, 6)
      assert.include(decodedText(catcher.messages[5].raw), '候补专家')
      const sitting = await sittingExperts(project.id)
      assert.lengthOf(sitting, 5)
      assert.notInclude(
        sitting.map(({ expert }) => expert.id),
        first.expert.id
      )
    } finally {
      await catcher.stop()
    }
  })

  test('declining needs a reason', async ({ client, assert }) => {
    const { applicant, reviewer } = await reviewCast()
    const project = await acceptedProject(applicant, reviewer)
    await createExperts(5)
    await panels.draw(
      project.id,
      { panelSize: 5, alternates: 0, specialties: [] },
      reviewActorOf(reviewer)
    )
    const [first] = await sittingExperts(project.id)
    const response = await client
      .post(`/review/members/${first.member.id}/decline`)
      .header('referer', '/review/tasks')
      .loginAs(first.user)
      .form({ reason: '' })
      .withCsrfToken()
    response.assertTextIncludes('请填写理由')
    const stillInvited = await PanelMember.findOrFail(first.member.id)
    assert.equal(stillInvited.status, 'invited')
  })

  test("an expert sees only their assigned projects and never the draw's other members", async ({
    client,
  }) => {
    const { applicant, reviewer } = await reviewCast()
    const project = await acceptedProject(applicant, reviewer)
    const other = await acceptedProject(applicant, reviewer)
    const pool = await createExperts(5)
    await panels.draw(
      project.id,
      { panelSize: 5, alternates: 0, specialties: [] },
      reviewActorOf(reviewer)
    )
    const outsider = await createUser({ roles: ['expert'] })
    const [first] = await sittingExperts(project.id)
    const tasks = await client.get('/review/tasks').loginAs(first.user)
    tasks.assertTextIncludes(project.title)
    await assertStatus(client.get(`/review/projects/${project.id}`).loginAs(first.user), 200)
    await assertStatus(client.get(`/review/projects/${other.id}`).loginAs(first.user), 403)
    await assertStatus(client.get(`/review/projects/${project.id}`).loginAs(outsider), 403)
    const page = await client.get(`/review/projects/${project.id}`).loginAs(first.user)
    assertNotIncludes(page, '评审专家组')
    assertNotIncludes(
      page,
      pool.find(({ expert }) => expert.id !== first.expert.id)!.expert.name + '</td>'
    )
  })
})
