import { test } from '@japa/runner'
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { DateTime } from 'luxon'
import { PROJECT_STATES } from '#project_review/lifecycle'
import {
  PROJECT_STATE_TONES,
  TASK_SEAT_STATUSES,
  isReturned,
  isUnsubmitted,
  panelShort,
  proposalCapabilities,
  reviewPanelCapabilities,
  seatCapabilities,
  taskCapabilities,
  type TaskFacts,
} from '#project_review/capabilities'

/**
 * `.state` / `.status` compared with a string literal (either side), or a literal list asked
 * whether it includes a state. Filter values (`filters.x`) of `<option selected>` are fine.
 */
const LITERAL_COMPARISON = [
  /(?<!filters)\.(state|status)\s*(===|!==|==|!=)\s*['"]/,
  /['"]\s*(===|!==|==|!=)\s*[\w.[\]]+\.(state|status)\b/,
  /\[[^\]]*['"][^\]]*\]\s*\.includes\([^)]*(\.(state|status)\b|[sS]tates?\[)/,
]

async function filesUnder(dir: string, ext: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory()
        ? filesUnder(join(dir, entry.name), ext)
        : Promise.resolve(entry.name.endsWith(ext) ? [join(dir, entry.name)] : [])
    )
  )
  return nested.flat()
}

async function literalComparisons(files: string[]) {
  const found: string[] = []
  for (const file of files) {
    const text = await readFile(file, 'utf8')
    const lines = text.split('\n')
    lines.forEach((line, index) => {
      if (LITERAL_COMPARISON.some((pattern) => pattern.test(line))) {
        found.push(`${relative(process.cwd(), file)}:${index + 1}: ${line.trim()}`)
      }
    })
  }
  return found
}

test.group('Review pages | no state literals', () => {
  test('the scan catches each way of comparing a state with a literal', ({ assert }) => {
    const caught = [
      "@if(panel.status === 'open')",
      "{{ project.state !== 'draft' ? 'a' : 'b' }}",
      "@if('submitted' === sheet.status)",
      "{{ ['approved'].includes(project.state) ? 'badge-green' : '' }}",
      "@if(['invited', 'declared'].includes(seatStates[member.id]))",
    ]
    const allowed = [
      "<option value=\"active\" {{ filters.status === 'active' ? 'selected' : '' }}>",
      '@if(can.withdraw)',
      "{{ t('review.states.' + project.state) }}",
      "@if(member.notifyError !== 'no_email')",
    ]
    for (const line of caught) {
      assert.isTrue(
        LITERAL_COMPARISON.some((pattern) => pattern.test(line)),
        line
      )
    }
    for (const line of allowed) {
      assert.isFalse(
        LITERAL_COMPARISON.some((pattern) => pattern.test(line)),
        line
      )
    }
  })

  test('no view under pages/review and no review policy compares a state with a literal', async ({
    assert,
  }) => {
    const views = await filesUnder(join(process.cwd(), 'resources/views/pages/review'), '.edge')
    const policies = await filesUnder(join(process.cwd(), 'app/project_review/policies'), '.ts')
    assert.isAbove(views.length, 10)
    assert.deepEqual(await literalComparisons([...views, ...policies]), [])
  })
})

test.group('Review capabilities | asked of the machines', () => {
  test('every project state has a badge tone; refused ones red, approved ones green', ({
    assert,
  }) => {
    assert.sameMembers(Object.keys(PROJECT_STATE_TONES), [...PROJECT_STATES])
    assert.equal(PROJECT_STATE_TONES.rejected, 'red')
    assert.equal(PROJECT_STATE_TONES.declined, 'red')
    assert.equal(PROJECT_STATE_TONES.approved, 'green')
    assert.equal(PROJECT_STATE_TONES.completed, 'green')
    assert.equal(PROJECT_STATE_TONES.draft, 'grey')
    assert.equal(PROJECT_STATE_TONES.under_review, '')
  })

  test('the applicant resubmits a returned proposal and deletes only a never-submitted draft', ({
    assert,
  }) => {
    assert.deepEqual(proposalCapabilities({ state: 'draft', submittedAt: null }), {
      resubmit: false,
      delete: true,
    })
    assert.deepEqual(proposalCapabilities({ state: 'returned', submittedAt: new Date() }), {
      resubmit: true,
      delete: false,
    })
    assert.isFalse(proposalCapabilities({ state: 'draft', submittedAt: new Date() }).delete)
    assert.isTrue(isUnsubmitted('draft'))
    assert.isFalse(isUnsubmitted('submitted'))
    assert.isTrue(isReturned('returned'))
    assert.isFalse(isReturned('rejected'))
  })

  test('closing the panel is offered to the reviewer only under review', ({ assert }) => {
    assert.deepEqual(reviewPanelCapabilities('under_review', ['reviewer']), {
      closePanel: true,
      closeHint: true,
    })
    assert.deepEqual(reviewPanelCapabilities('panel_drawn', ['reviewer']), {
      closePanel: false,
      closeHint: true,
    })
    assert.deepEqual(reviewPanelCapabilities('under_review', ['applicant']), {
      closePanel: false,
      closeHint: false,
    })
    assert.deepEqual(reviewPanelCapabilities('reviewed', ['reviewer']), {
      closePanel: false,
      closeHint: false,
    })
  })

  test('seat actions: return a submitted sheet, withdraw a silent expert, resend a failed mail', ({
    assert,
  }) => {
    const open = { status: 'open' as const }
    const closed = { status: 'closed' as const }
    const invited = { status: 'invited' as const, notifyError: null }
    assert.deepEqual(seatCapabilities(open, invited, null), {
      resend: false,
      returnSheet: false,
      withdraw: true,
    })
    assert.deepEqual(seatCapabilities(open, invited, { status: 'submitted' }), {
      resend: false,
      returnSheet: true,
      withdraw: false,
    })
    assert.isTrue(seatCapabilities(open, invited, { status: 'returned' }).withdraw)
    assert.isFalse(seatCapabilities(open, invited, { status: 'returned' }).returnSheet)
    assert.isTrue(seatCapabilities(open, { ...invited, notifyError: 'ECONNREFUSED' }, null).resend)
    assert.isFalse(seatCapabilities(open, { ...invited, notifyError: 'no_email' }, null).resend)
    assert.deepEqual(seatCapabilities(closed, invited, { status: 'submitted' }), {
      resend: false,
      returnSheet: false,
      withdraw: false,
    })
    assert.deepEqual(
      seatCapabilities(open, { status: 'withdrawn', notifyError: 'x' }, { status: 'draft' }),
      { resend: false, returnSheet: false, withdraw: false }
    )
    const members = [{ status: 'invited' as const }, { status: 'declined' as const }]
    assert.isTrue(panelShort({ status: 'open', panelSize: 2 }, members))
    assert.isFalse(panelShort({ status: 'open', panelSize: 1 }, members))
    assert.isFalse(panelShort({ status: 'closed', panelSize: 2 }, members))
  })

  test('task rows: a review seat declares, an acceptance seat opens its checklist by a deadline', ({
    assert,
  }) => {
    const notifiedAt = DateTime.fromISO('2026-05-10T20:00:00Z')
    const base: TaskFacts = {
      kind: 'review',
      panel: { status: 'open' },
      member: { status: 'invited', notifiedAt },
      sheet: null,
      check: null,
      projectOpen: true,
    }
    const review = taskCapabilities(base)
    assert.isTrue(review.declare)
    assert.isTrue(review.decline)
    assert.isFalse(review.openChecklist)
    assert.isNull(review.deadline)

    const submitted = taskCapabilities({ ...base, sheet: { status: 'submitted' } })
    assert.isTrue(submitted.openSheet)
    assert.isFalse(submitted.editSheet)
    assert.isFalse(submitted.decline)

    const returned = taskCapabilities({ ...base, sheet: { status: 'returned' } })
    assert.isTrue(returned.editSheet)
    assert.isTrue(returned.sheetReturned)

    const acceptance = taskCapabilities({ ...base, kind: 'acceptance' })
    assert.isFalse(acceptance.declare)
    assert.isTrue(acceptance.openChecklist)
    assert.isTrue(acceptance.editChecklist)
    assert.isTrue(acceptance.decline)
    // invited 05-11 04:00 Shanghai: due 7 days later, that day in Shanghai
    assert.equal(acceptance.deadline?.toISODate(), '2026-05-18')

    const checked = taskCapabilities({
      ...base,
      kind: 'acceptance',
      check: { status: 'submitted' },
    })
    assert.isTrue(checked.openChecklist)
    assert.isFalse(checked.editChecklist)
    assert.isFalse(checked.decline)
    assert.isNull(checked.deadline)

    const finished = taskCapabilities({
      ...base,
      kind: 'acceptance',
      panel: { status: 'closed' },
      check: { status: 'submitted' },
    })
    assert.isFalse(finished.openChecklist)
    assert.isTrue(finished.viewResults)

    const vacated = taskCapabilities({ ...base, member: { status: 'withdrawn' } })
    assert.isTrue(vacated.vacated)
    assert.isFalse(vacated.openProject)
    assert.isFalse(vacated.decline)
    assert.notInclude(TASK_SEAT_STATUSES, 'standby')
    assert.includeMembers([...TASK_SEAT_STATUSES], ['invited', 'declined', 'withdrawn'])
  })
})
