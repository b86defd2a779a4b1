import { test } from '@japa/runner'
import { createHash } from 'node:crypto'
import {
  DRAW_ALGORITHM,
  DrawError,
  currentPanel,
  drawPanel,
  exclusionReason,
  newSeed,
  nextAlternate,
  type DrawProject,
  type ExpertCandidate,
} from '#project_review/domain/draw'

const PUBLIC_SECURITY = 7 // 县公安局, the applicant unit
const EDUCATION = 9

function expert(id: number, overrides: Partial<ExpertCandidate> = {}): ExpertCandidate {
  return {
    id,
    employerUnitId: null,
    employer: '某大学信息学院',
    specialties: ['视频/物联网', '网络安全'],
    active: true,
    assignmentsThisYear: 2,
    yearlyCap: 12,
    declaredConflictUnitIds: [],
    ...overrides,
  }
}

/** Twelve eligible experts plus one of each kind that must never sit on this project's panel. */
const POOL: ExpertCandidate[] = [
  ...Array.from({ length: 12 }, (_, i) => expert(100 + i)),
  expert(201, { active: false }),
  expert(202, { employerUnitId: PUBLIC_SECURITY, employer: '县公安局' }),
  expert(203, { declaredConflictUnitIds: [EDUCATION, PUBLIC_SECURITY] }),
  expert(204),
  expert(205, { assignmentsThisYear: 12 }),
  expert(206, { specialties: ['财务/造价'] }),
  expert(207, { employerUnitId: null, employer: ' 县公安局 ' }),
]
const CONFLICTED = [201, 202, 203, 204, 205, 206, 207]
const PROJECT: DrawProject = {
  applicantUnitId: PUBLIC_SECURITY,
  applicantUnitName: '县公安局',
  drafterExpertIds: [204],
}
const NEEDED = ['视频/物联网', '软件']

/**
 * HMAC-SHA256(key = 32 zero bytes, "draw" ‖ uint64be counter), uint32 words, rejection sampling,
 * Fisher–Yates over ids 100…111: cross-checked with an independent Python implementation.
 */
const PINNED_PANEL = [107, 110, 108, 104, 102]
const PINNED_ALTERNATES = [111, 109]

/** Reproducible seeds for statistical tests: sha256 of a counter. */
function seedNumber(n: number): string {
  return createHash('sha256').update(`test-seed-${n}`).digest('hex')
}

function refusal(action: () => unknown): DrawError {
  try {
    action()
  } catch (error) {
    if (error instanceof DrawError) return error
    throw error
  }
  throw new Error('expected a DrawError')
}

test.group('Expert draw | 回避', () => {
  test('each conflict is excluded with its reason recorded', ({ assert }) => {
    const draw = drawPanel(POOL, PROJECT, { specialties: NEEDED, seed: seedNumber(0) })
    assert.deepEqual(draw.excluded, [
      { id: 201, reason: 'inactive' },
      { id: 202, reason: 'same_employer' },
      { id: 203, reason: 'declared_conflict' },
      { id: 204, reason: 'drafter' },
      { id: 205, reason: 'yearly_cap' },
      { id: 206, reason: 'no_specialty' },
      { id: 207, reason: 'same_employer' },
    ])
    assert.deepEqual(
      draw.eligible,
      Array.from({ length: 12 }, (_, i) => 100 + i)
    )
  })

  test('over 1,000 draws no conflicted expert is ever drawn', ({ assert }) => {
    const shuffledPool = [...POOL].reverse()
    for (let n = 0; n < 1000; n++) {
      const draw = drawPanel(shuffledPool, PROJECT, {
        specialties: NEEDED,
        alternates: 3,
        seed: seedNumber(n),
      })
      for (const id of [...draw.panel, ...draw.alternates]) {
        assert.notInclude(CONFLICTED, id)
      }
      assert.lengthOf(draw.panel, 5)
      assert.lengthOf(draw.alternates, 3)
      assert.lengthOf(new Set([...draw.panel, ...draw.alternates]), 8)
    }
  })

  test('an expert with any one of the requested specialties qualifies', ({ assert }) => {
    const finance = expert(1, { specialties: ['财务/造价'] })
    assert.isNull(exclusionReason(finance, PROJECT, ['软件', '财务/造价']))
    assert.equal(exclusionReason(finance, PROJECT, ['软件']), 'no_specialty')
    assert.isNull(exclusionReason(finance, PROJECT, []))
  })

  test('the cap counts assignments already made this year', ({ assert }) => {
    assert.isNull(exclusionReason(expert(1, { assignmentsThisYear: 11 }), PROJECT, []))
    assert.equal(exclusionReason(expert(1, { assignmentsThisYear: 13 }), PROJECT, []), 'yearly_cap')
  })

  test('an employer of another unit is no conflict', ({ assert }) => {
    assert.isNull(exclusionReason(expert(1, { employerUnitId: EDUCATION }), PROJECT, []))
    assert.isNull(
      exclusionReason(
        expert(1, { employer: '县公安局' }),
        { ...PROJECT, applicantUnitName: null },
        []
      )
    )
  })
})

test.group('Expert draw | randomness and replay', () => {
  test('the same seed and candidates replay the same panel, whatever their order', ({ assert }) => {
    const seed = newSeed()
    const first = drawPanel(POOL, PROJECT, { specialties: NEEDED, seed })
    const replay = drawPanel([...POOL].reverse(), PROJECT, { specialties: NEEDED, seed })
    assert.deepEqual(replay, first)
    assert.equal(first.seed, seed)
    assert.equal(first.algorithm, DRAW_ALGORITHM)
  })

  test('a recorded draw replays identically after upgrades (pinned vector)', ({ assert }) => {
    const draw = drawPanel(POOL, PROJECT, {
      specialties: NEEDED,
      alternates: 2,
      seed: '00'.repeat(32),
    })
    assert.deepEqual(
      { panel: draw.panel, alternates: draw.alternates },
      { panel: PINNED_PANEL, alternates: PINNED_ALTERNATES }
    )
  })

  test('different seeds give different panels', ({ assert }) => {
    const panels = new Set<string>()
    for (let n = 0; n < 50; n++) {
      const draw = drawPanel(POOL, PROJECT, { specialties: NEEDED, seed: seedNumber(n) })
      panels.add([...draw.panel].sort((a, b) => a - b).join(','))
    }
    // 792 possible five-person panels out of twelve; 50 draws should almost all differ.
    assert.isAbove(panels.size, 45)
  })

  test('every eligible expert is picked about equally often', ({ assert }) => {
    const picks = new Map<number, number>()
    const firstSeat = new Map<number, number>()
    const draws = 1200
    for (let n = 0; n < draws; n++) {
      const draw = drawPanel(POOL, PROJECT, { specialties: NEEDED, seed: seedNumber(n) })
      for (const id of draw.panel) picks.set(id, (picks.get(id) ?? 0) + 1)
      firstSeat.set(draw.panel[0], (firstSeat.get(draw.panel[0]) ?? 0) + 1)
    }
    // Each of 12 experts sits on 5/12 of panels: expected 500, σ ≈ 17; band ±5σ.
    assert.equal(picks.size, 12)
    for (const [id, count] of picks) assert.isTrue(count > 415 && count < 585, `${id}: ${count}`)
    // Each takes the first seat 1/12 of the time: expected 100, σ ≈ 9.6; band ±5σ.
    assert.equal(firstSeat.size, 12)
    for (const [id, count] of firstSeat) assert.isTrue(count > 52 && count < 148, `${id}: ${count}`)
  })

  test('new seeds are 256-bit hex and never repeat', ({ assert }) => {
    const seeds = Array.from({ length: 100 }, () => newSeed())
    for (const seed of seeds) assert.match(seed, /^[0-9a-f]{64}$/)
    assert.lengthOf(new Set(seeds), 100)
  })

  test('without a seed the draw records the fresh one it used', ({ assert }) => {
    const draw = drawPanel(POOL, PROJECT, { specialties: NEEDED })
    assert.match(draw.seed, /^[0-9a-f]{64}$/)
    assert.deepEqual(drawPanel(POOL, PROJECT, { specialties: NEEDED, seed: draw.seed }), draw)
  })
})

test.group('Expert draw | refusals', () => {
  test('too few eligible experts: refused with the numbers, nothing drawn', ({ assert }) => {
    const small = [...POOL.slice(0, 3), ...POOL.slice(12)]
    const error = refusal(() => drawPanel(small, PROJECT, { specialties: NEEDED, seed: '01' }))
    assert.equal(error.code, 'E_TOO_FEW_EXPERTS')
    assert.equal(error.i18nKey, 'draw.too_few_experts')
    assert.deepEqual(error.details, { required: 5, eligible: 3 })
  })

  test('exactly enough eligible experts fill the panel with no alternates', ({ assert }) => {
    const draw = drawPanel(POOL.slice(0, 5), PROJECT, { specialties: NEEDED, seed: '02' })
    assert.sameMembers(draw.panel, [100, 101, 102, 103, 104])
    assert.deepEqual(draw.alternates, [])
  })

  test('a larger panel asks for more experts', ({ assert }) => {
    const error = refusal(() =>
      drawPanel(POOL, PROJECT, { specialties: NEEDED, panelSize: 13, seed: '03' })
    )
    assert.deepEqual(error.details, { required: 13, eligible: 12 })
    assert.lengthOf(
      drawPanel(POOL, PROJECT, { specialties: NEEDED, panelSize: 7, seed: '03' }).panel,
      7
    )
  })

  test('refuses a seed that is not hex, a panel of nobody and duplicate experts', ({ assert }) => {
    for (const seed of ['', 'xyz', 'abc', 'g0']) {
      const error = refusal(() => drawPanel(POOL, PROJECT, { specialties: NEEDED, seed }))
      assert.equal(error.code, 'E_INVALID_SEED', seed)
    }
    assert.equal(
      refusal(() => drawPanel(POOL, PROJECT, { specialties: NEEDED, panelSize: 0, seed: '00' }))
        .code,
      'E_INVALID_PANEL_SIZE'
    )
    assert.equal(
      refusal(() => drawPanel(POOL, PROJECT, { specialties: NEEDED, alternates: -1, seed: '00' }))
        .code,
      'E_INVALID_PANEL_SIZE'
    )
    assert.equal(
      refusal(() => drawPanel([...POOL, expert(100)], PROJECT, { specialties: [], seed: '00' }))
        .code,
      'E_DUPLICATE_EXPERT'
    )
  })
})

test.group('Expert draw | declines', () => {
  const draw = drawPanel(POOL, PROJECT, { specialties: NEEDED, alternates: 2, seed: '0a0b' })
  const [p1, p2, p3, p4, p5] = draw.panel
  const [a1, a2] = draw.alternates

  test('a declined seat goes to the first alternate, then the second', ({ assert }) => {
    assert.isNull(nextAlternate(draw, []))
    assert.equal(nextAlternate(draw, [p2]), a1)
    assert.deepEqual(currentPanel(draw, [p2]), [p1, p3, p4, p5, a1])
    assert.equal(nextAlternate(draw, [p2, p4]), a2)
    assert.deepEqual(currentPanel(draw, [p2, p4]), [p1, p3, p5, a1, a2])
  })

  test('an alternate who declines is skipped', ({ assert }) => {
    assert.equal(nextAlternate(draw, [p2, a1]), a2)
    assert.deepEqual(currentPanel(draw, [p2, a1]), [p1, p3, p4, p5, a2])
  })

  test('when alternates run out there is no one left to invite', ({ assert }) => {
    assert.isNull(nextAlternate(draw, [p1, p2, p3]))
    assert.deepEqual(currentPanel(draw, [p1, p2, p3]), [p4, p5, a1, a2])
  })
})
