import { mkdir, readdir } from 'node:fs/promises'
import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import ProjectAttachment from '#project_review/models/project_attachment'
import Project from '#project_review/models/project'
import proposals from '#project_review/services/proposals'
import attachments from '#project_review/services/attachments'
import { reviewActorOf } from '#project_review/services/actor'
import reviewSettings from '#project_review/services/review_settings'
import { DEFAULT_SCORE_TEMPLATE } from '#project_review/domain/aggregation'
import { assertNotIncludes } from '#tests/helpers/http'
import { createDraft, formRows, reviewCast, stateOf, assertStatus } from '#tests/helpers/review'
import { createUser } from '#tests/helpers/identity'

/** A tiny but genuine PDF. */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n'
)
/** The first bytes of a Windows executable. */
const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), Buffer.alloc(2048, 0x41)])

test.group('Proposals | attachments', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(async () => {
    await mkdir(attachments.directory, { recursive: true })
    const before = new Set(await readdir(attachments.directory))
    return async () => {
      const after = await readdir(attachments.directory)
      const created = after.filter((name) => !before.has(name))
      await attachments.removeFiles(created)
    }
  })

  test('a PDF is stored outside the web root and downloadable by the unit and the reviewer', async ({
    client,
    assert,
  }) => {
    const { applicant, reviewer } = await reviewCast()
    const project = await createDraft(applicant)
    const upload = await client
      .post(`/review/projects/${project.id}/attachments`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(applicant)
      .field('kind', 'feasibility')
      .file('attachment', PDF, { filename: '可行性研究报告.pdf', contentType: 'application/pdf' })
      .withCsrfToken()
      .redirects(0)
    upload.assertStatus(302)
    const attachment = await ProjectAttachment.findByOrFail('project_id', project.id)
    assert.equal(attachment.originalName, '可行性研究报告.pdf')
    assert.match(attachment.storedName, /^[0-9a-f-]{36}\.pdf$/)
    assert.equal(attachment.sizeBytes, PDF.length)

    const mine = await client.get(`/review/attachments/${attachment.id}`).loginAs(applicant)
    mine.assertStatus(200)
    mine.assertHeader('content-type', 'application/pdf')
    assert.include(mine.header('content-disposition'), 'attachment')
    assert.deepEqual(
      Buffer.from(mine.body() as Buffer)
        .subarray(0, 5)
        .toString(),
      '%PDF-'
    )

    await proposals.submit(project.id, reviewActorOf(applicant))
    await assertStatus(client.get(`/review/attachments/${attachment.id}`).loginAs(reviewer), 200)
  })

  test('an .exe renamed to .pdf is refused by its content', async ({ client, assert }) => {
    const { applicant } = await reviewCast()
    const project = await createDraft(applicant, {}, { feasibility: false })
    const response = await client
      .post(`/review/projects/${project.id}/attachments`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(applicant)
      .field('kind', 'design')
      .file('attachment', EXE, { filename: '初步设计.pdf', contentType: 'application/pdf' })
      .withCsrfToken()
    response.assertTextIncludes('上传的文件不是 PDF 文件')
    assert.lengthOf(await ProjectAttachment.query().where('project_id', project.id), 0)
  })

  test('a 25 MB upload is refused with a clear message and nothing is stored', async ({
    client,
    assert,
  }) => {
    const { applicant } = await reviewCast()
    const project = await createDraft(applicant, {}, { feasibility: false })
    const big = Buffer.concat([PDF, Buffer.alloc(25 * 1024 * 1024, 0x20)])
    const response = await client
      .post(`/review/projects/${project.id}/attachments`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(applicant)
      .field('kind', 'feasibility')
      .file('attachment', big, { filename: 'big.pdf', contentType: 'application/pdf' })
      .withCsrfToken()
    response.assertTextIncludes('20 MB')
    assert.lengthOf(await ProjectAttachment.query().where('project_id', project.id), 0)
  })

  test("another unit's applicant cannot download an attachment", async ({ client }) => {
    const { applicant } = await reviewCast()
    const project = await createDraft(applicant)
    await client
      .post(`/review/projects/${project.id}/attachments`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(applicant)
      .field('kind', 'feasibility')
      .file('attachment', PDF, { filename: 'a.pdf' })
      .withCsrfToken()
    const attachment = await ProjectAttachment.findByOrFail('project_id', project.id)
    const stranger = await createUser({ roles: ['applicant'] })
    await assertStatus(client.get(`/review/attachments/${attachment.id}`).loginAs(stranger), 403)
    const expert = await createUser({ roles: ['expert'] })
    await assertStatus(client.get(`/review/attachments/${attachment.id}`).loginAs(expert), 403)
  })

  test('attachments are frozen with the submitted proposal', async ({ client, assert }) => {
    const { applicant } = await reviewCast()
    const project = await createDraft(applicant)
    await proposals.submit(project.id, reviewActorOf(applicant))
    const response = await client
      .post(`/review/projects/${project.id}/attachments`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(applicant)
      .field('kind', 'feasibility')
      .file('attachment', PDF, { filename: 'late.pdf' })
      .withCsrfToken()
    response.assertTextIncludes('已冻结')
    const kept = await ProjectAttachment.query().where('project_id', project.id)
    assert.deepEqual(
      kept.map((attachment) => attachment.originalName),
      ['可行性研究报告.pdf']
    )
  })

  test('without the required 可行性研究报告 the page says so and submission is refused in Chinese', async ({
    client,
    assert,
  }) => {
    const { applicant } = await reviewCast()
    const project = await createDraft(applicant, {}, { feasibility: false })
    const page = await client.get(`/review/projects/${project.id}`).loginAs(applicant)
    page.assertTextIncludes('提交前还需上传：可行性研究报告。')
    assertNotIncludes(page, '申报书已填写完整，可以提交')

    const refused = await client
      .post(`/review/projects/${project.id}/submit`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(applicant)
      .withCsrfToken()
    refused.assertTextIncludes('申报书缺少必需的附件，不能提交：请上传可行性研究报告。')
    assert.equal(await stateOf(project.id), 'draft')

    await client
      .post(`/review/projects/${project.id}/attachments`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(applicant)
      .field('kind', 'feasibility')
      .file('attachment', PDF, { filename: '可研报告.pdf', contentType: 'application/pdf' })
      .withCsrfToken()
    const ready = await client.get(`/review/projects/${project.id}`).loginAs(applicant)
    ready.assertTextIncludes('申报书已填写完整，可以提交。')
    await client
      .post(`/review/projects/${project.id}/submit`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(applicant)
      .withCsrfToken()
    assert.equal(await stateOf(project.id), 'submitted')
  })

  test('the sysadmin sets which attachments are required (评审设置)', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    const settingsPage = await client.get('/review/settings').loginAs(admin)
    settingsPage.assertTextIncludes('提交申报时必须上传的附件')
    await client
      .put('/review/settings')
      .header('referer', '/review/settings')
      .loginAs(admin)
      .form({
        'similarityThreshold': '0.3',
        'passThreshold': '80',
        'reviseThreshold': '60',
        ...formRows(
          'criteria',
          DEFAULT_SCORE_TEMPLATE.map((c) => ({ ...c }))
        ),
        'requiredAttachments[]': ['', 'design'],
      })
      .withCsrfToken()
    const afterTicking = await reviewSettings.get()
    assert.deepEqual(afterTicking.requiredAttachments, ['design'])

    const { applicant } = await reviewCast()
    const project = await createDraft(applicant)
    const page = await client.get(`/review/projects/${project.id}`).loginAs(applicant)
    page.assertTextIncludes('提交前还需上传：初步设计。')
    await assertStatus(
      client
        .post(`/review/projects/${project.id}/submit`)
        .header('accept', 'application/json')
        .loginAs(applicant)
        .withCsrfToken(),
      422
    )

    await client
      .put('/review/settings')
      .header('referer', '/review/settings')
      .loginAs(admin)
      .form({
        'similarityThreshold': '0.3',
        'passThreshold': '80',
        'reviseThreshold': '60',
        ...formRows(
          'criteria',
          DEFAULT_SCORE_TEMPLATE.map((c) => ({ ...c }))
        ),
        'requiredAttachments[]': [''],
      })
      .withCsrfToken()
    const afterClearing = await reviewSettings.get()
    assert.deepEqual(afterClearing.requiredAttachments, [])
    const bare = await createDraft(applicant, {}, { feasibility: false })
    await proposals.submit(bare.id, reviewActorOf(applicant))
    assert.equal(await stateOf(bare.id), 'submitted')
  })

  test('"保存并上传附件" saves a new proposal and lands on the upload step', async ({
    client,
    assert,
  }) => {
    const { applicant } = await reviewCast()
    const form = await client.get('/review/projects/new').loginAs(applicant)
    form.assertTextIncludes('保存并上传附件')
    const response = await client
      .post('/review/projects')
      .header('referer', '/review/projects/new')
      .loginAs(applicant)
      .form({ title: '县档案馆数字化项目', year: '2026', category: 'new', next: 'attachments' })
      .withCsrfToken()
      .redirects(0)
    const project = await Project.findByOrFail('title', '县档案馆数字化项目')
    response.assertHeader('location', `/review/projects/${project.id}#attachments`)
    const page = await client
      .post('/review/projects')
      .header('referer', '/review/projects/new')
      .loginAs(applicant)
      .form({ title: '县档案馆数字化二期', year: '2026', category: 'new', next: 'attachments' })
      .withCsrfToken()
    page.assertTextIncludes('下一步：请在下方上传附件（可行性研究报告为必需）')
    page.assertTextIncludes('id="attachment-form"')
    assert.isNotNull(await Project.findBy('title', '县档案馆数字化二期'))
  })
})
