import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import ProjectAttachment from '#project_review/models/project_attachment'
import attachments from '#project_review/services/attachments'
import { createUser } from '#tests/helpers/identity'
import { createDraft, reviewCast } from '#tests/helpers/review'

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n'
)
const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), Buffer.alloc(4096, 0x41)])
/** 1 MiB of filler: enough to notice if it lands on disk. */
const BLOB = Buffer.alloc(1024 * 1024, 0x42)

const CSV =
  '设备名称,管理地址,SNMP端口,SNMP版本,团体名,设备类型,站点层级,站点名称,上级站点,所属单位,上级设备,重要程度,轮询间隔(秒),启用,备注\r\n' +
  'tmp-core-01,10.9.0.1,161,v2c,pub,核心交换机,县,临时县,,,,关键,60,是,\r\n'

/** Files and directories in the temp directory, recursively. */
async function tempEntries(dir: string) {
  const entries = await readdir(dir, { recursive: true })
  return entries.map(String).sort()
}

test.group('Uploads | temp files', (group) => {
  let dir: string
  let previousTmpdir: string | undefined

  // os.tmpdir() reads TMPDIR on every call: point it at a private directory so
  // that the count sees what this process writes and nothing else.
  group.setup(async () => {
    previousTmpdir = process.env.TMPDIR
    dir = await mkdtemp(join(tmpdir(), 'shuzhi-upload-test-'))
    process.env.TMPDIR = dir
    return async () => {
      if (previousTmpdir === undefined) delete process.env.TMPDIR
      else process.env.TMPDIR = previousTmpdir
      await rm(dir, { recursive: true, force: true })
    }
  })
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('multipart bodies sent before login, to /login, /locale and /logout, leave nothing on disk', async ({
    client,
    assert,
  }) => {
    assert.deepEqual(await tempEntries(dir), [])
    for (const url of ['/login', '/locale', '/logout']) {
      const response = await client
        .post(url)
        .field('username', 'admin')
        .file('junk', BLOB, { filename: 'junk.bin' })
        .redirects(0)
      assert.isAtLeast(response.status(), 300, url)
    }
    const anonymous = await client
      .post('/review/projects/1/attachments')
      .field('kind', 'feasibility')
      .file('attachment', BLOB, { filename: 'a.pdf' })
      .withCsrfToken()
      .redirects(0)
    anonymous.assertStatus(302)
    anonymous.assertHeader('location', '/login')
    assert.deepEqual(await tempEntries(dir), [])
  })

  test('a logged-in upload without the CSRF token is refused before anything is written', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const response = await client
      .post('/monitoring/devices/import')
      .header('referer', '/monitoring/devices/import')
      .loginAs(admin)
      .file('file', BLOB, { filename: 'devices.csv' })
      .redirects(0)
    response.assertStatus(302)
    assert.deepEqual(await tempEntries(dir), [])
  })

  test('a multipart body cut off mid-file gets a 400 in Chinese and leaves nothing behind', async ({
    client,
    assert,
  }) => {
    const netadmin = await createUser({ roles: ['netadmin'] })
    const truncated =
      '--cut\r\nContent-Disposition: form-data; name="file"; filename="devices.csv"\r\n' +
      'Content-Type: text/csv\r\n\r\n' +
      'x'.repeat(256 * 1024)
    const response = await client
      .post('/monitoring/devices/import')
      .header('referer', '/monitoring/devices/import')
      .loginAs(netadmin)
      .withCsrfToken()
      .json(truncated)
      .header('content-type', 'multipart/form-data; boundary=cut')
    response.assertStatus(400)
    response.assertTextIncludes('提交的内容格式有误或嵌套过深，无法读取。')
    assert.deepEqual(await tempEntries(dir), [])
  })

  test('accepted and refused uploads leave the temp directory as it was', async ({
    client,
    assert,
  }) => {
    const { applicant } = await reviewCast()
    const project = await createDraft(applicant)
    const netadmin = await createUser({ roles: ['netadmin'] })
    const stored = new Set(await readdir(attachments.directory).catch(() => []))

    const accepted = await client
      .post(`/review/projects/${project.id}/attachments`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(applicant)
      .field('kind', 'feasibility')
      .file('attachment', PDF, { filename: '可研.pdf', contentType: 'application/pdf' })
      .withCsrfToken()
      .redirects(0)
    accepted.assertStatus(302)
    const refused = await client
      .post(`/review/projects/${project.id}/attachments`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(applicant)
      .field('kind', 'design')
      .file('attachment', EXE, { filename: '初步设计.pdf', contentType: 'application/pdf' })
      .withCsrfToken()
    refused.assertTextIncludes('上传的文件不是 PDF 文件')
    const imported = await client
      .post('/monitoring/devices/import')
      .header('referer', '/monitoring/devices/import')
      .loginAs(netadmin)
      .field('createSites', '1')
      .file('file', Buffer.from(CSV), { filename: 'devices.csv' })
      .withCsrfToken()
      .redirects(0)
    imported.assertStatus(302)
    const notCsv = await client
      .post('/monitoring/devices/import')
      .header('referer', '/monitoring/devices/import')
      .loginAs(netadmin)
      .file('file', EXE, { filename: 'tool.exe' })
      .withCsrfToken()
    notCsv.assertStatus(422)
    const tooLarge = await client
      .post('/monitoring/devices/import')
      .header('referer', '/monitoring/devices/import')
      .loginAs(netadmin)
      .file('file', Buffer.alloc(4 * 1024 * 1024, 0x41), { filename: 'big.csv' })
      .withCsrfToken()
    tooLarge.assertStatus(413)

    assert.deepEqual(await tempEntries(dir), [])
    const attachment = await ProjectAttachment.findByOrFail('project_id', project.id)
    const after = await readdir(attachments.directory)
    const added = after.filter((name) => !stored.has(name))
    assert.deepEqual(added, [attachment.storedName])
    await attachments.removeFiles(added)
  })
})
