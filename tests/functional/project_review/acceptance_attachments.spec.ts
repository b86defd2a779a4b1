import { mkdir, readdir } from 'node:fs/promises'
import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import mail from '@adonisjs/mail/services/main'
import type { ApiClient } from '@japa/api-client'
import type User from '#identity/models/user'
import BudgetItem from '#project_review/models/budget_item'
import ProjectAttachment from '#project_review/models/project_attachment'
import attachments from '#project_review/services/attachments'
import {
  TINY_PDF,
  createDraft,
  createExperts,
  driveTo,
  formRows,
  reviewCast,
  stateOf,
} from '#tests/helpers/review'

/**
 * Issue #13: an acceptance request needs its 试运行报告 and (unless 无需测评) 等保测评报告 as
 * PDFs; each missing one is named in Chinese, nothing is written; an executable renamed .pdf
 * is refused at upload.
 */

/** The first bytes of a Windows executable. */
const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), Buffer.alloc(2048, 0x41)])

async function requestCount(projectId: number) {
  const row = await db
    .from('acceptance_requests')
    .where('project_id', projectId)
    .count('* as n')
    .first()
  return Number(row.n)
}

async function requestAcceptance(
  client: ApiClient,
  applicant: User,
  projectId: number,
  securityResult: string
) {
  const items = await BudgetItem.query().where('project_id', projectId).orderBy('position')
  return client
    .post(`/review/projects/${projectId}/acceptance`)
    .header('referer', `/review/projects/${projectId}`)
    .loginAs(applicant)
    .form({
      deliverables: '源代码、部署文档',
      securityResult,
      trialRunSummary: '试运行三个月，运行平稳',
      ...formRows(
        'lines',
        items.map((item) => ({
          budgetItemId: item.id,
          settled: ((item.approvedFen ?? 0) / 100).toFixed(2),
        }))
      ),
    })
    .withCsrfToken()
    .redirects(0)
}

function upload(
  client: ApiClient,
  applicant: User,
  projectId: number,
  kind: string,
  body: Buffer,
  filename: string
) {
  return client
    .post(`/review/projects/${projectId}/attachments`)
    .header('referer', `/review/projects/${projectId}`)
    .loginAs(applicant)
    .field('kind', kind)
    .file('attachment', body, { filename, contentType: 'application/pdf' })
    .withCsrfToken()
    .redirects(0)
}

test.group('Acceptance request | its PDF attachments', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(() => {
    mail.fake()
    return () => mail.restore()
  })
  group.each.setup(async () => {
    await mkdir(attachments.directory, { recursive: true })
    const before = new Set(await readdir(attachments.directory))
    return async () => {
      const after = await readdir(attachments.directory)
      await attachments.removeFiles(after.filter((name) => !before.has(name)))
    }
  })

  test('each missing report is named in Chinese and nothing is written; uploaded, the request goes through', async ({
    client,
    assert,
  }) => {
    const { applicant, reviewer } = await reviewCast()
    await createExperts(6)
    const draft = await createDraft(applicant)
    await driveTo(draft.id, 'in_construction', applicant, reviewer)

    const bare = await requestAcceptance(client, applicant, draft.id, 'passed')
    bare.assertStatus(302)
    const bareText = JSON.stringify(bare.flashMessages())
    assert.include(bareText, '请先上传试运行报告（PDF）')
    assert.include(bareText, '请先上传等保测评报告（PDF）')
    assert.equal(await requestCount(draft.id), 0)
    assert.equal(await stateOf(draft.id), 'in_construction')

    const trial = await upload(client, applicant, draft.id, 'trial_run', TINY_PDF, '试运行报告.pdf')
    trial.assertStatus(302)
    const half = await requestAcceptance(client, applicant, draft.id, 'passed')
    const halfText = JSON.stringify(half.flashMessages())
    assert.notInclude(halfText, '请先上传试运行报告')
    assert.include(halfText, '请先上传等保测评报告（PDF）')
    assert.equal(await requestCount(draft.id), 0)

    // 无需测评: the 等保 report is not asked for
    const notRequired = await requestAcceptance(client, applicant, draft.id, 'not_required')
    notRequired.assertStatus(302)
    assert.notInclude(JSON.stringify(notRequired.flashMessages()), '请先上传')
    assert.equal(await requestCount(draft.id), 1)
    assert.equal(await stateOf(draft.id), 'acceptance_requested')
  })

  test('an executable renamed .pdf is refused as a 试运行报告; nothing is stored', async ({
    client,
    assert,
  }) => {
    const { applicant, reviewer } = await reviewCast()
    await createExperts(6)
    const draft = await createDraft(applicant)
    await driveTo(draft.id, 'in_construction', applicant, reviewer)
    const before = await ProjectAttachment.query().where('project_id', draft.id)

    const refused = await upload(client, applicant, draft.id, 'trial_run', EXE, '试运行报告.pdf')
    refused.assertStatus(302)
    assert.include(JSON.stringify(refused.flashMessages()), '不是 PDF 文件')
    const after = await ProjectAttachment.query().where('project_id', draft.id)
    assert.lengthOf(after, before.length)
    assert.notInclude(
      after.map((row) => row.kind),
      'trial_run'
    )
  })
})
