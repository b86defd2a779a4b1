import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import AuditEvent from '#core/audit/audit_event'
import Project from '#project_review/models/project'
import SimilarityCheck from '#project_review/models/similarity_check'
import proposals from '#project_review/services/proposals'
import { reviewActorOf } from '#project_review/services/actor'
import { createDraft } from '#tests/helpers/review'
import { createUnit, createUser } from '#tests/helpers/identity'
import { assertNotIncludes } from '#tests/helpers/http'

async function isFlagged(projectId: number) {
  const project = await Project.findOrFail(projectId)
  return project.similarityFlagged
}

/** The police camera project, and a reworded copy submitted by a health-commission unit. */
async function flaggedCopy() {
  const police = await createUnit({ name: '县公安局（测试）' })
  const health = await createUnit({ name: '县卫生健康委员会（测试）' })
  const policeApplicant = await createUser({ roles: ['applicant'], unit: police })
  const healthApplicant = await createUser({ roles: ['applicant'], unit: health })
  const reviewer = await createUser({ roles: ['reviewer'] })
  const earlier = await createDraft(policeApplicant, {
    title: '县公安局（测试）视频监控联网扩容项目',
    content:
      '县公安局（测试）在现有视频监控联网共享平台上新增高清网络摄像机200路，覆盖主要路口和农贸市场，扩容视频云存储，部署人脸结构化解析服务器。',
    items: [{ category: 'hardware', name: '高清网络球机', quantity: 200, unitPrice: 450_000 }],
  })
  await proposals.submit(earlier.id, reviewActorOf(policeApplicant))
  const copy = await createDraft(healthApplicant, {
    title: '县卫生健康委员会（测试）医院周边视频联网扩容工程',
    content:
      '县卫生健康委员会（测试）拟新增200路高清网络摄像机，覆盖主要路口、农贸市场及医院周边，视频云存储扩容，人脸结构化解析服务器接入视频监控联网共享平台。',
    items: [{ category: 'hardware', name: '高清网络球机', quantity: 200, unitPrice: 460_000 }],
  })
  await proposals.submit(copy.id, reviewActorOf(healthApplicant))
  return { earlier, copy, reviewer, healthApplicant }
}

test.group('Duplicate check | explainable to the reviewer', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('the reviewer compares both texts side by side with the shared words highlighted', async ({
    client,
    assert,
  }) => {
    const { earlier, copy, reviewer } = await flaggedCopy()
    const check = await SimilarityCheck.findByOrFail('project_id', copy.id)
    assert.isTrue(check.flagged)
    assert.equal(check.matches[0].projectId, earlier.id)
    for (const term of check.matches[0].sharedTerms) {
      assert.notInclude(['卫生', '健康', '委员会', '公安局', '测试'], term, 'no unit name')
      assert.isAtLeast([...term].length, 2)
    }

    const page = await client.get(`/review/projects/${copy.id}`).loginAs(reviewer)
    page.assertTextIncludes(`/review/projects/${copy.id}/similarity/${earlier.id}`)
    const compare = await client
      .get(`/review/projects/${copy.id}/similarity/${earlier.id}`)
      .loginAs(reviewer)
    compare.assertStatus(200)
    const html = compare.text()
    for (const word of ['视频', '摄像机', '路口', '农贸市场', '人脸']) {
      // highlighted in the shared list and once in each of the two texts at least
      const marks = html.split(`<mark class="shared">${word}`).length - 1
      assert.isAtLeast(marks, 3, word)
    }
    assert.notInclude(html, '<mark class="shared">县公安局')
    assert.notInclude(html, '<mark class="shared">卫生')
    assert.include(html, '医院周边')
  })

  test('a reviewer marks a match 已核实非重复 with a reason: flag cleared, audited, kept on re-run', async ({
    client,
    assert,
  }) => {
    const { earlier, copy, reviewer } = await flaggedCopy()
    const refused = await client
      .post(`/review/projects/${copy.id}/similarity/${earlier.id}/dismiss`)
      .header('referer', `/review/projects/${copy.id}`)
      .loginAs(reviewer)
      .form({ reason: ' ' })
      .withCsrfToken()
    refused.assertTextIncludes('理由')
    assert.isTrue(await isFlagged(copy.id), 'nothing changed')

    const dismissed = await client
      .post(`/review/projects/${copy.id}/similarity/${earlier.id}/dismiss`)
      .header('referer', `/review/projects/${copy.id}`)
      .loginAs(reviewer)
      .form({ reason: '两项目覆盖点位不同，已与公安局核实' })
      .withCsrfToken()
      .redirects(0)
    dismissed.assertHeader('location', `/review/projects/${copy.id}#similarity`)
    assert.isFalse(await isFlagged(copy.id))
    const event = await AuditEvent.query()
      .where('action', 'review.similarity.dismiss')
      .where('target_id', String(copy.id))
      .firstOrFail()
    assert.equal(event.actorId, reviewer.id)
    assert.include(JSON.stringify(event.details), '两项目覆盖点位不同')

    const page = await client.get(`/review/projects/${copy.id}`).loginAs(reviewer)
    page.assertTextIncludes('已核实非重复')
    page.assertTextIncludes('两项目覆盖点位不同，已与公安局核实')

    const rerun = await client
      .post(`/review/projects/${copy.id}/similarity/rerun`)
      .loginAs(reviewer)
      .withCsrfToken()
      .redirects(0)
    rerun.assertStatus(302)
    const checks = await SimilarityCheck.query().where('project_id', copy.id).orderBy('id')
    assert.lengthOf(checks, 2)
    assert.equal(checks[1].matches[0].projectId, earlier.id, 'still shown')
    assert.isFalse(await isFlagged(copy.id), 'not flagged again')
    await AuditEvent.query()
      .where('action', 'review.similarity.rerun')
      .where('target_id', String(copy.id))
      .firstOrFail()
  })

  test('applicants can neither compare, re-run nor dismiss', async ({ client, assert }) => {
    const { earlier, copy, healthApplicant } = await flaggedCopy()
    const compare = await client
      .get(`/review/projects/${copy.id}/similarity/${earlier.id}`)
      .loginAs(healthApplicant)
    compare.assertStatus(403)
    const rerun = await client
      .post(`/review/projects/${copy.id}/similarity/rerun`)
      .loginAs(healthApplicant)
      .withCsrfToken()
    rerun.assertStatus(403)
    const dismiss = await client
      .post(`/review/projects/${copy.id}/similarity/${earlier.id}/dismiss`)
      .loginAs(healthApplicant)
      .form({ reason: '我们不是重复建设' })
      .withCsrfToken()
    dismiss.assertStatus(403)
    assert.isTrue(await isFlagged(copy.id))
    const own = await client.get(`/review/projects/${copy.id}`).loginAs(healthApplicant)
    assertNotIncludes(own, '重复建设审查')
  })
})
