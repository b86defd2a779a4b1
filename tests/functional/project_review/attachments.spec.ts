import { mkdir, readdir } from 'node:fs/promises'
import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import ProjectAttachment from '#project_review/models/project_attachment'
import proposals from '#project_review/services/proposals'
import attachments from '#project_review/services/attachments'
import { reviewActorOf } from '#project_review/services/actor'
import { createDraft, reviewCast, assertStatus } from '#tests/helpers/review'
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
    const project = await createDraft(applicant)
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
    const project = await createDraft(applicant)
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
    assert.lengthOf(await ProjectAttachment.query().where('project_id', project.id), 0)
  })
})
