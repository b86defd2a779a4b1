import { mkdir, readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import Alert from '#network_monitoring/models/alert'
import AlertHandlingRecord from '#network_monitoring/models/alert_handling_record'
import AuditEvent from '#core/audit/audit_event'
import { alertSink } from '#network_monitoring/alerts/contract'
import handlingAttachments from '#network_monitoring/alerts/handling_attachments'
import { createUser } from '#tests/helpers/identity'
import { threat } from '#tests/helpers/alerts'

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64'
)
/** The first bytes of a Windows executable. */
const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), Buffer.alloc(2048, 0x41)])

test.group('告警处置记录 | attachments', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(async () => {
    await mkdir(handlingAttachments.directory, { recursive: true })
    const before = new Set(await readdir(handlingAttachments.directory))
    return async () => {
      for (const name of await readdir(handlingAttachments.directory)) {
        if (!before.has(name)) await rm(join(handlingAttachments.directory, name), { force: true })
      }
    }
  })

  async function setup() {
    const admin = await createUser({ roles: ['netadmin'] })
    const auditor = await createUser({ roles: ['auditor'] })
    await alertSink().raise([threat('evt-attach')])
    const alert = await Alert.query().where('category', 'trojan').firstOrFail()
    return { admin, auditor, alert }
  }

  test('a netadmin attaches an image; the auditor downloads it, audited; the sender’s path is ignored', async ({
    client,
    assert,
  }) => {
    const { admin, auditor, alert } = await setup()
    const page = await client.get(`/monitoring/alerts/${alert.id}`).loginAs(admin)
    page.assertTextIncludes('enctype="multipart/form-data"')
    page.assertTextIncludes('name="attachment"')

    const upload = await client
      .post(`/monitoring/alerts/${alert.id}/handling`)
      .loginAs(admin)
      .field('cause', '终端感染木马')
      .field('action', '隔离主机并查杀')
      .file('attachment', PNG, { filename: '../../etc/截图.png', contentType: 'image/png' })
      .withCsrfToken()
      .redirects(0)
    upload.assertStatus(302)
    const record = await AlertHandlingRecord.findByOrFail('alert_id', alert.id)
    assert.equal(record.attachmentName, '截图.png')
    assert.match(record.attachmentPath!, /^[0-9a-f-]{36}\.png$/)
    assert.deepEqual(
      await readFile(join(handlingAttachments.directory, record.attachmentPath!)),
      PNG
    )

    const shown = await client.get(`/monitoring/alerts/${alert.id}`).loginAs(auditor)
    shown.assertTextIncludes(`/monitoring/alerts/handling/${record.id}/attachment`)
    const download = await client
      .get(`/monitoring/alerts/handling/${record.id}/attachment`)
      .loginAs(auditor)
    download.assertStatus(200)
    download.assertHeader('content-type', 'image/png')
    download.assertHeader('x-content-type-options', 'nosniff')
    assert.include(download.header('content-disposition'), 'attachment;')
    assert.deepEqual(Buffer.from(download.body() as Buffer), PNG)
    const audited = await AuditEvent.query()
      .where('action', 'alert.attachment_download')
      .where('actor_id', auditor.id)
    assert.lengthOf(audited, 1)
    assert.equal(audited[0].targetId, String(alert.id))

    // The auditor reads but cannot add records.
    const refused = await client
      .post(`/monitoring/alerts/${alert.id}/handling`)
      .loginAs(auditor)
      .field('cause', 'x')
      .field('action', 'y')
      .file('attachment', PNG, { filename: 'a.png', contentType: 'image/png' })
      .withCsrfToken()
      .redirects(0)
    refused.assertStatus(403)
  })

  test('hostile files are refused and nothing is kept: an .exe named .pdf, a file over 10 MB', async ({
    client,
    assert,
  }) => {
    const { admin, alert } = await setup()
    const before = await readdir(handlingAttachments.directory)
    const wrongType = await client
      .post(`/monitoring/alerts/${alert.id}/handling`)
      .header('referer', `/monitoring/alerts/${alert.id}`)
      .loginAs(admin)
      .field('cause', '终端感染木马')
      .field('action', '隔离主机并查杀')
      .file('attachment', EXE, { filename: '报告.pdf', contentType: 'application/pdf' })
      .withCsrfToken()
    wrongType.assertTextIncludes('附件只能是 PDF、PNG 或 JPEG 文件')

    const huge = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(10 * 1024 * 1024, 0x20)])
    const tooBig = await client
      .post(`/monitoring/alerts/${alert.id}/handling`)
      .header('referer', `/monitoring/alerts/${alert.id}`)
      .loginAs(admin)
      .field('cause', '终端感染木马')
      .field('action', '隔离主机并查杀')
      .file('attachment', huge, { filename: 'big.pdf', contentType: 'application/pdf' })
      .withCsrfToken()
    tooBig.assertTextIncludes('附件不能超过 10 MB')

    assert.lengthOf(await AlertHandlingRecord.query().where('alert_id', alert.id), 0)
    assert.deepEqual(await readdir(handlingAttachments.directory), before)
  })
})
