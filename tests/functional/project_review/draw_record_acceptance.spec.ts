import { test } from '@japa/runner'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import testUtils from '@adonisjs/core/services/test_utils'
import ace from '@adonisjs/core/services/ace'
import db from '@adonisjs/lucid/services/db'
import mail from '@adonisjs/mail/services/main'
import { DateTime } from 'luxon'
import AuditEvent from '#core/audit/audit_event'
import User from '#identity/models/user'
import Project from '#project_review/models/project'
import Expert from '#project_review/models/expert'
import ReviewPanel from '#project_review/models/review_panel'
import { ReviewError } from '#project_review/errors'
import { renderDrawRecord } from '#project_review/reports/draw_record'
import type { RenderedPdf } from '#core/pdf/documents'
import ReportDrawRecord from '#commands/report_draw_record'
import ReportAcceptance from '#commands/report_acceptance'
import ReviewRemindEvaluations from '#commands/review_remind_evaluations'
import { createDraft, createExperts, driveTo, reviewCast } from '#tests/helpers/review'
import { createUser } from '#tests/helpers/identity'
import { assertNotIncludes } from '#tests/helpers/http'
import { assertGoodPdf, pdfCompactText } from '#tests/helpers/pdf'

/**
 * Issue #13: a 专家抽取记录表 for every draw — the acceptance panel's too — on the project page
 * and from `report:draw-record --purpose acceptance`; and the report / reminder commands run.
 */

/** A project whose acceptance panel is drawn; one expert of the applicant unit is a candidate. */
async function projectInAcceptance(
  target: 'acceptance_review' | 'completed' = 'acceptance_review'
) {
  const cast = await reviewCast()
  await createExperts(6, { email: true })
  await createExperts(1, { employerUnit: cast.unit })
  for (const expert of await Expert.all()) {
    expert.name = `验收评委${expert.id}`
    await expert.save()
  }
  const draft = await createDraft(cast.applicant)
  await driveTo(draft.id, target, cast.applicant, cast.reviewer)
  const project = await Project.query().where('id', draft.id).preload('unit').firstOrFail()
  return { ...cast, project }
}

function panelOf(projectId: number, purpose: 'review' | 'acceptance') {
  return ReviewPanel.query().where('project_id', projectId).where('purpose', purpose).firstOrFail()
}

function asPdf(body: unknown): RenderedPdf {
  return {
    buffer: Buffer.from(body as Buffer),
    filename: '',
    pages: 0,
    problems: [],
    maxSliceMs: 0,
  }
}

async function inScratchDir<T>(work: (dir: string) => Promise<T>) {
  const dir = await mkdtemp(join(tmpdir(), 'gaps-report-'))
  try {
    return await work(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

test.group('专家抽取记录表 of the acceptance draw', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(() => {
    mail.fake()
    return () => mail.restore()
  })

  test('the acceptance panel has its own record: candidates, the applicant-unit exclusion, seed, result, replay', async ({
    client,
    assert,
  }) => {
    const { project, reviewer, unit } = await projectInAcceptance()
    const acceptancePanel = await panelOf(project.id, 'acceptance')
    const reviewPanel = await panelOf(project.id, 'review')
    assert.notEqual(acceptancePanel.seed, reviewPanel.seed)

    const page = await client.get(`/review/projects/${project.id}`).loginAs(reviewer)
    page.assertStatus(200)
    page.assertTextIncludes(
      `/review/projects/${project.id}/documents/draw-record.pdf?purpose=acceptance`
    )
    page.assertTextIncludes('验收专家抽取记录表 PDF')

    const download = await client
      .get(`/review/projects/${project.id}/documents/draw-record.pdf?purpose=acceptance`)
      .loginAs(reviewer)
    download.assertStatus(200)
    download.assertHeader('content-type', 'application/pdf')
    const downloaded = await pdfCompactText(asPdf(download.body()).buffer)
    assert.include(downloaded, '验收专家抽取记录表')
    assert.include(downloaded, acceptancePanel.seed.slice(0, 40))

    const pdf = await renderDrawRecord(project.id, undefined, 'acceptance')
    const text = await assertGoodPdf(assert, pdf, [
      '验收专家抽取记录表',
      project.title,
      project.code!,
      '抽取用途项目验收',
      acceptancePanel.seed.slice(0, 40),
      '回避：与申报单位同单位',
      unit.name,
      '抽中：验收专家第1位',
      '复现结果与记录一致',
      `候选${acceptancePanel.candidates.length}名`,
    ])
    assert.notInclude(text, reviewPanel.seed.slice(0, 40))
    assert.include(pdf.filename, '验收专家抽取记录表')

    // The review draw's record is still the default, and says so.
    const review = await client
      .get(`/review/projects/${project.id}/documents/draw-record.pdf`)
      .loginAs(reviewer)
    review.assertStatus(200)
    const reviewText = await pdfCompactText(asPdf(review.body()).buffer)
    assert.include(reviewText, '评审专家抽取记录表')
    assert.include(reviewText, '抽取用途项目评审')
    assert.include(reviewText, reviewPanel.seed.slice(0, 40))
  })

  test('only reviewers download it; before the acceptance draw there is no record and no link; a bad purpose is refused', async ({
    client,
    assert,
  }) => {
    const { project, applicant, reviewer } = await projectInAcceptance()
    const url = `/review/projects/${project.id}/documents/draw-record.pdf?purpose=acceptance`
    const applicantResponse = await client.get(url).loginAs(applicant)
    applicantResponse.assertStatus(403)
    const stranger = await createUser({ roles: ['applicant'] })
    const strangerResponse = await client.get(url).loginAs(stranger)
    assert.oneOf(strangerResponse.status(), [403, 404])
    const acceptancePanel = await panelOf(project.id, 'acceptance')
    const [seat] = await db
      .from('panel_members')
      .where('panel_id', acceptancePanel.id)
      .where('status', 'invited')
    // A sitting acceptance expert sees the project but not the draw record (the reviewers' paper).
    const expert = await Expert.findOrFail(seat.expert_id)
    const expertAccount = await User.findOrFail(expert.userId)
    const expertResponse = await client.get(url).loginAs(expertAccount)
    expertResponse.assertStatus(403)

    const bogus = await client
      .get(`/review/projects/${project.id}/documents/draw-record.pdf?purpose=bogus`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(reviewer)
      .redirects(0)
    assert.notEqual(bogus.status(), 200)
    assert.notEqual(bogus.header('content-type'), 'application/pdf')

    // A project approved but not yet at acceptance: no record, no link.
    const other = await reviewCast()
    const draft = await createDraft(other.applicant)
    await driveTo(draft.id, 'in_construction', other.applicant, other.reviewer)
    const error = await renderDrawRecord(draft.id, undefined, 'acceptance').catch((e) => e)
    assert.instanceOf(error, ReviewError)
    assert.equal(error.i18nKey, 'reports.errors.no_acceptance_draw')
    const page = await client.get(`/review/projects/${draft.id}`).loginAs(other.reviewer)
    page.assertStatus(200)
    assertNotIncludes(page, 'draw-record.pdf?purpose=acceptance')
    const early = await client
      .get(`/review/projects/${draft.id}/documents/draw-record.pdf?purpose=acceptance`)
      .header('referer', `/review/projects/${draft.id}`)
      .loginAs(other.reviewer)
      .redirects(0)
    early.assertStatus(302)
    assert.include(JSON.stringify(early.flashMessages()), '尚未抽取验收专家')
  })
})

test.group('Report and reminder commands (ace)', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(() => {
    mail.fake()
    return () => mail.restore()
  })

  test('report:draw-record writes the review and the acceptance record; bad purpose or unknown id fail in Chinese', async ({
    assert,
  }) => {
    const { project } = await projectInAcceptance()
    await inScratchDir(async (dir) => {
      const reviewOut = join(dir, 'review.pdf')
      const reviewCommand = await ace.create(ReportDrawRecord, [project.code!, '--out', reviewOut])
      await reviewCommand.exec()
      reviewCommand.assertSucceeded()
      const reviewText = await pdfCompactText(await readFile(reviewOut))
      assert.include(reviewText, '评审专家抽取记录表')
      assert.include(reviewText, project.title)

      const acceptanceOut = join(dir, 'acceptance.pdf')
      const acceptanceCommand = await ace.create(ReportDrawRecord, [
        String(project.id),
        '--purpose',
        'acceptance',
        '--out',
        acceptanceOut,
      ])
      await acceptanceCommand.exec()
      acceptanceCommand.assertSucceeded()
      const acceptanceText = await pdfCompactText(await readFile(acceptanceOut))
      assert.include(acceptanceText, '验收专家抽取记录表')
      assert.include(acceptanceText, '复现结果与记录一致')

      const bogus = await ace.create(ReportDrawRecord, [
        String(project.id),
        '--purpose',
        'bogus',
        '--out',
        join(dir, 'x.pdf'),
      ])
      await bogus.exec()
      bogus.assertFailed()
      bogus.assertLogMatches(/抽取用途/)

      const unknown = await ace.create(ReportDrawRecord, ['999999', '--out', join(dir, 'y.pdf')])
      await unknown.exec()
      unknown.assertFailed()
      unknown.assertLogMatches(/项目不存在/)
    })
  })

  test('report:acceptance writes the 验收意见书 of an accepted project and refuses one still under acceptance', async ({
    assert,
  }) => {
    const { project } = await projectInAcceptance('completed')
    const { project: pending } = await projectInAcceptance()
    await inScratchDir(async (dir) => {
      const out = join(dir, 'acceptance.pdf')
      const command = await ace.create(ReportAcceptance, [String(project.id), '--out', out])
      await command.exec()
      command.assertSucceeded()
      const text = await pdfCompactText(await readFile(out))
      assert.include(text, '验收意见书')
      assert.include(text, project.title)

      const refused = await ace.create(ReportAcceptance, [
        String(pending.id),
        '--out',
        join(dir, 'x.pdf'),
      ])
      await refused.exec()
      refused.assertFailed()
      refused.assertLogMatches(/尚未完成验收评审/)
    })
  })

  test('review:remind-evaluations --at mails the overdue project once; a bad --at fails', async ({
    assert,
  }) => {
    const { project, applicant } = await projectInAcceptance('completed')
    await applicant.merge({ email: 'unit-remind@example.test' }).save()
    const accepted = DateTime.fromISO('2025-03-01T00:00:00Z')
    await Project.query()
      .where('id', project.id)
      .update({ completed_at: accepted.toFormat('yyyy-MM-dd HH:mm:ss') })

    const early = await ace.create(ReviewRemindEvaluations, [
      '--at',
      accepted.plus({ months: 11 }).toISO()!,
    ])
    await early.exec()
    early.assertSucceeded()
    early.assertLogMatches(/reminded 0 project/)

    const due = await ace.create(ReviewRemindEvaluations, [
      '--at',
      accepted.plus({ months: 12, days: 1 }).toISO()!,
    ])
    await due.exec()
    due.assertSucceeded()
    due.assertLogMatches(new RegExp(`reminded 1 project\\(s\\): ${project.id}`))
    const queued = await db.from('mail_outbox').where('to_address', 'unit-remind@example.test')
    assert.lengthOf(queued, 1)
    assert.lengthOf(await AuditEvent.query().where('action', 'review.evaluation.remind'), 1)

    const again = await ace.create(ReviewRemindEvaluations, [
      '--at',
      accepted.plus({ months: 12, days: 2 }).toISO()!,
    ])
    await again.exec()
    again.assertLogMatches(/reminded 0 project/)

    const bad = await ace.create(ReviewRemindEvaluations, ['--at', 'yesterday'])
    await bad.exec()
    bad.assertFailed()
    bad.assertLogMatches(/invalid --at/)
  })
})
