import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import Project from '#project_review/models/project'
import SimilarityCheck from '#project_review/models/similarity_check'
import proposals from '#project_review/services/proposals'
import precheck from '#project_review/services/precheck'
import { reviewActorOf } from '#project_review/services/actor'
import { assertNotIncludes } from '#tests/helpers/http'
import { createDraft, reviewCast, stateOf } from '#tests/helpers/review'
import { createUnit, createUser } from '#tests/helpers/identity'

test.group('Pre-check (形式审查)', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('a reviewer returns a proposal with itemised reasons; the applicant sees them, fixes and resubmits', async ({
    client,
    assert,
  }) => {
    const { applicant, reviewer } = await reviewCast()
    const project = await createDraft(applicant)
    await proposals.submit(project.id, reviewActorOf(applicant))

    const returned = await client
      .post(`/review/projects/${project.id}/return`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(reviewer)
      .form({ reasons: '缺少可行性研究报告\n\n  预算中摄像机单价未附询价单  ' })
      .withCsrfToken()
      .redirects(0)
    returned.assertHeader('location', `/review/projects/${project.id}`)
    assert.equal(await stateOf(project.id), 'returned')

    const page = await client.get(`/review/projects/${project.id}`).loginAs(applicant)
    page.assertTextIncludes('审核员退回补正的理由')
    page.assertTextIncludes('<li>缺少可行性研究报告</li>')
    page.assertTextIncludes('<li>预算中摄像机单价未附询价单</li>')
    page.assertTextIncludes('重新申报')

    const resubmit = await client
      .post(`/review/projects/${project.id}/submit`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(applicant)
      .withCsrfToken()
      .redirects(0)
    resubmit.assertStatus(302)
    assert.equal(await stateOf(project.id), 'submitted')

    await client
      .post(`/review/projects/${project.id}/accept`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(reviewer)
      .form({ comment: '要件齐全' })
      .withCsrfToken()
    const accepted = await Project.findOrFail(project.id)
    assert.equal(accepted.state, 'accepted')
    assert.equal(accepted.returnCount, 1)

    const timeline = await client.get(`/review/projects/${project.id}`).loginAs(applicant)
    for (const text of [
      '办理过程',
      '草稿 → 已申报',
      '已申报 → 退回补正',
      '退回补正 → 已申报',
      '已申报 → 已受理',
      '要件齐全',
    ]) {
      timeline.assertTextIncludes(text)
    }
  })

  test('reasons typed with script or HTML are shown escaped to the applicant', async ({
    client,
  }) => {
    const { applicant, reviewer } = await reviewCast()
    const project = await createDraft(applicant)
    await proposals.submit(project.id, reviewActorOf(applicant))
    await precheck.returnForCorrection(
      project.id,
      ['<script>alert(1)</script>补充材料', '<img src=x onerror=alert(2)>'],
      reviewActorOf(reviewer)
    )
    const page = await client.get(`/review/projects/${project.id}`).loginAs(applicant)
    assertNotIncludes(page, '<script>alert(1)</script>')
    assertNotIncludes(page, '<img src=x')
    page.assertTextIncludes('&lt;script&gt;alert(1)&lt;/script&gt;补充材料')
  })

  test('returning without reasons is refused with a Chinese message', async ({
    client,
    assert,
  }) => {
    const { applicant, reviewer } = await reviewCast()
    const project = await createDraft(applicant)
    await proposals.submit(project.id, reviewActorOf(applicant))
    const response = await client
      .post(`/review/projects/${project.id}/return`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(reviewer)
      .form({ reasons: '' })
      .withCsrfToken()
    response.assertTextIncludes('请逐条填写退回补正的理由')
    assert.equal(await stateOf(project.id), 'submitted')
  })

  test('an applicant cannot pre-check, even their own proposal', async ({ client, assert }) => {
    const { applicant } = await reviewCast()
    const project = await createDraft(applicant)
    await proposals.submit(project.id, reviewActorOf(applicant))
    const response = await client
      .post(`/review/projects/${project.id}/accept`)
      .loginAs(applicant)
      .withCsrfToken()
    response.assertStatus(403)
    assert.equal(await stateOf(project.id), 'submitted')
  })

  test('accepting twice is refused: the second click meets an accepted project', async ({
    client,
  }) => {
    const { applicant, reviewer } = await reviewCast()
    const project = await createDraft(applicant)
    await proposals.submit(project.id, reviewActorOf(applicant))
    await precheck.accept(project.id, reviewActorOf(reviewer))
    const response = await client
      .post(`/review/projects/${project.id}/accept`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(reviewer)
      .withCsrfToken()
    response.assertTextIncludes('项目当前状态为“已受理”，不能执行“受理”。')
  })
})

test.group('Duplicate-construction check (重复建设审查)', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('a reworded copy of an earlier project is flagged to the reviewer with score and shared terms', async ({
    client,
    assert,
  }) => {
    const police = await createUnit({ name: '县公安局（测试）' })
    const policeApplicant = await createUser({ roles: ['applicant'], unit: police })
    const reviewer = await createUser({ roles: ['reviewer'] })
    const earlier = await createDraft(policeApplicant, {
      title: '县公安局视频监控联网共享平台扩容项目',
      content:
        '在现有视频监控联网共享平台基础上，新增高清网络摄像机200路，覆盖城区主要路口、学校周边和农贸市场。扩容视频云存储至2PB。升级视频结构化解析服务器，实现人脸、车辆特征提取。',
      items: [
        { category: 'hardware', name: '400万像素高清网络球机', quantity: 200, unitPrice: 450_000 },
        { category: 'hardware', name: '视频云存储扩容节点', quantity: 4, unitPrice: 30_000_000 },
      ],
    })
    await proposals.submit(earlier.id, reviewActorOf(policeApplicant))
    const unrelated = await createDraft(policeApplicant, {
      title: '县水利局水雨情监测系统建设项目',
      content: '新建自动雨量站45处、水位站20处，采用北斗和4G双通道传输，建设水雨情监测预警平台。',
      items: [{ category: 'hardware', name: '自动雨量站', quantity: 45, unitPrice: 2_000_000 }],
    })
    await proposals.submit(unrelated.id, reviewActorOf(policeApplicant))

    const { applicant } = await reviewCast()
    const copy = await createDraft(applicant, {
      title: '城区视频联网共享平台二期扩容工程',
      content:
        '拟在现有视频监控联网共享平台上扩容：新增200路高清网络摄像机，覆盖主要路口、中小学周边及农贸市场；视频云存储扩容到2PB；部署视频结构化解析服务器，提取人脸和车辆特征。',
      items: [
        {
          category: 'hardware',
          name: '高清网络球机（400万像素）',
          quantity: 200,
          unitPrice: 460_000,
        },
        { category: 'hardware', name: '视频云存储扩容', quantity: 4, unitPrice: 29_000_000 },
      ],
    })
    await proposals.submit(copy.id, reviewActorOf(applicant))

    const check = await SimilarityCheck.findByOrFail('project_id', copy.id)
    assert.isTrue(check.flagged)
    assert.equal(check.matches[0].projectId, earlier.id)
    assert.isAbove(check.matches[0].score, 0.3)
    assert.include(check.matches[0].sharedTerms, '视频')
    const flagged = await Project.findOrFail(copy.id)
    assert.isTrue(flagged.similarityFlagged)

    const page = await client.get(`/review/projects/${copy.id}`).loginAs(reviewer)
    page.assertTextIncludes('重复建设审查')
    page.assertTextIncludes('疑似重复建设')
    page.assertTextIncludes('县公安局视频监控联网共享平台扩容项目')
    page.assertTextIncludes(check.matches[0].score.toFixed(4))

    const own = await client.get(`/review/projects/${copy.id}`).loginAs(applicant)
    assertNotIncludes(own, '重复建设审查')

    const list = await client.get('/review/projects?state=submitted').loginAs(reviewer)
    list.assertTextIncludes('疑似重复建设')
  })

  test('an unrelated proposal is not flagged', async ({ assert }) => {
    const { applicant } = await reviewCast()
    const first = await createDraft(applicant)
    await proposals.submit(first.id, reviewActorOf(applicant))
    const other = await createDraft(applicant, {
      title: '县医保局医保结算系统升级项目',
      content:
        '对接省医保信息平台，实现异地就医直接结算和医保电子凭证扫码支付，新增基金智能监管规则库。',
      necessity: '异地就医群众报销需往返奔波，欺诈骗保难以及时发现。',
      technicalPlan: '结算接口按省医保局规范改造，规则库采用事前提醒、事中审核。',
      items: [
        { category: 'software', name: '结算系统接口改造', quantity: 1, unitPrice: 80_000_000 },
      ],
    })
    await proposals.submit(other.id, reviewActorOf(applicant))
    const check = await SimilarityCheck.findByOrFail('project_id', other.id)
    assert.isFalse(check.flagged)
  })
})
