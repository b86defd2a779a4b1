import { createHmac, randomBytes } from 'node:crypto'
import { RuleError } from '#core/rule_error'

/**
 * 专家随机抽取与回避. The draw must be fair, free of conflicts and auditable: the eligible list is
 * sorted by id, shuffled with a random stream derived from a recorded seed (HMAC-SHA256), and
 * anyone holding the seed and the candidate list can replay the result exactly.
 */

/** Recorded with each draw so a replay years later uses the same algorithm. */
export const DRAW_ALGORITHM = 'hmac-sha256-fisher-yates-v1'

export interface ExpertCandidate {
  id: number
  /** The expert works for one of our units (e.g. a 公安局 engineer). */
  employerUnitId?: number | null
  /** Free-text employer, compared with the applicant unit's name when there is no unit id. */
  employer?: string | null
  specialties: readonly string[]
  active: boolean
  assignmentsThisYear: number
  yearlyCap: number
  declaredConflictUnitIds: readonly number[]
}

export interface DrawProject {
  applicantUnitId: number
  applicantUnitName?: string | null
  drafterExpertIds: readonly number[]
}

export interface DrawOptions {
  /** An expert qualifies with at least one of these; an empty list accepts every specialty. */
  specialties: readonly string[]
  panelSize?: number
  alternates?: number
  /** Hex string; a fresh one from newSeed() when absent. */
  seed?: string
}

/** Why an expert was left out, in the order the rules are checked (first hit is reported). */
export type ExclusionReason =
  'inactive' | 'drafter' | 'same_employer' | 'declared_conflict' | 'yearly_cap' | 'no_specialty'

/** Everything an auditor needs to check and replay the draw. */
export interface DrawResult {
  algorithm: typeof DRAW_ALGORITHM
  seed: string
  eligible: number[]
  excluded: { id: number; reason: ExclusionReason }[]
  panel: number[]
  alternates: number[]
}

const ERRORS = {
  E_TOO_FEW_EXPERTS: 'draw.too_few_experts',
  E_INVALID_SEED: 'draw.invalid_seed',
  E_INVALID_PANEL_SIZE: 'draw.invalid_panel_size',
  E_DUPLICATE_EXPERT: 'draw.duplicate_expert',
} as const

export type DrawErrorCode = keyof typeof ERRORS

/** A refused draw: nothing is drawn, the details say why (e.g. { required: 5, eligible: 3 }). */
export class DrawError extends RuleError<DrawErrorCode> {
  declare readonly i18nKey: (typeof ERRORS)[DrawErrorCode]

  constructor(code: DrawErrorCode, details: Record<string, string | number> = {}) {
    super(code, ERRORS[code], details)
  }
}

/** 256 bits from the OS CSPRNG: unguessable before the draw, recorded after it. */
export function newSeed(): string {
  return randomBytes(32).toString('hex')
}

/** The reason an expert may not sit on this project's panel, or null when eligible. */
export function exclusionReason(
  expert: ExpertCandidate,
  project: DrawProject,
  specialties: readonly string[]
): ExclusionReason | null {
  if (!expert.active) return 'inactive'
  if (project.drafterExpertIds.includes(expert.id)) return 'drafter'
  if (sameEmployer(expert, project)) return 'same_employer'
  if (expert.declaredConflictUnitIds.includes(project.applicantUnitId)) return 'declared_conflict'
  if (expert.assignmentsThisYear >= expert.yearlyCap) return 'yearly_cap'
  if (specialties.length > 0 && !expert.specialties.some((s) => specialties.includes(s))) {
    return 'no_specialty'
  }
  return null
}

/**
 * Draws a panel of `panelSize` (default 5) plus up to `alternates` (default 2) in call order.
 * Refuses with E_TOO_FEW_EXPERTS, drawing nothing, when fewer than `panelSize` are eligible.
 */
export function drawPanel(
  experts: readonly ExpertCandidate[],
  project: DrawProject,
  { specialties, panelSize = 5, alternates = 2, seed = newSeed() }: DrawOptions
): DrawResult {
  if (!Number.isSafeInteger(panelSize) || panelSize < 1) {
    throw new DrawError('E_INVALID_PANEL_SIZE', { panelSize })
  }
  if (!Number.isSafeInteger(alternates) || alternates < 0) {
    throw new DrawError('E_INVALID_PANEL_SIZE', { alternates })
  }
  const key = seedKey(seed)
  const sorted = [...experts].sort((a, b) => a.id - b.id)
  const eligible: number[] = []
  const excluded: DrawResult['excluded'] = []
  sorted.forEach((expert, index) => {
    if (index > 0 && sorted[index - 1].id === expert.id) {
      throw new DrawError('E_DUPLICATE_EXPERT', { id: expert.id })
    }
    const reason = exclusionReason(expert, project, specialties)
    if (reason) excluded.push({ id: expert.id, reason })
    else eligible.push(expert.id)
  })
  if (eligible.length < panelSize) {
    throw new DrawError('E_TOO_FEW_EXPERTS', { required: panelSize, eligible: eligible.length })
  }
  const order = shuffle(eligible, key)
  return {
    algorithm: DRAW_ALGORITHM,
    seed,
    eligible,
    excluded,
    panel: order.slice(0, panelSize),
    alternates: order.slice(panelSize, panelSize + alternates),
  }
}

/**
 * The sitting panel after some experts declined: each declined seat goes to the next alternate
 * in draw order who has not declined. May be shorter than the panel once alternates run out.
 */
export function currentPanel(draw: DrawResult, declinedIds: readonly number[]): number[] {
  return [...draw.panel, ...draw.alternates]
    .filter((id) => !declinedIds.includes(id))
    .slice(0, draw.panel.length)
}

/**
 * The alternate to invite after the latest decline of a sitting expert (declinedIds = every
 * decline so far), or null when no seat is open or the alternates are exhausted.
 */
export function nextAlternate(draw: DrawResult, declinedIds: readonly number[]): number | null {
  const openSeats = draw.panel.filter((id) => declinedIds.includes(id)).length
  if (openSeats === 0) return null
  const willing = draw.alternates.filter((id) => !declinedIds.includes(id))
  return willing[openSeats - 1] ?? null
}

function sameEmployer(expert: ExpertCandidate, project: DrawProject): boolean {
  if (expert.employerUnitId !== null && expert.employerUnitId !== undefined) {
    return expert.employerUnitId === project.applicantUnitId
  }
  const employer = normalizeName(expert.employer)
  return employer !== '' && employer === normalizeName(project.applicantUnitName)
}

function normalizeName(name: string | null | undefined): string {
  return (name ?? '').normalize('NFKC').replace(/\s+/g, '')
}

function seedKey(seed: string): Buffer {
  if (!/^(?:[0-9a-f]{2})+$/i.test(seed)) throw new DrawError('E_INVALID_SEED', { seed })
  return Buffer.from(seed, 'hex')
}

/** Fisher–Yates driven by HMAC-SHA256(seed, "draw" ‖ counter) read as 32-bit words. */
function shuffle(ids: readonly number[], key: Buffer): number[] {
  const result = [...ids]
  const next = randomStream(key)
  for (let i = result.length - 1; i > 0; i--) {
    const j = uniformBelow(i + 1, next)
    ;[result[i], result[j]] = [result[j], result[i]]
  }
  return result
}

function randomStream(key: Buffer): () => number {
  let counter = 0n
  let block = Buffer.alloc(0)
  let offset = 0
  return () => {
    if (offset === block.length) {
      const message = Buffer.alloc(12)
      message.write('draw', 0, 'ascii')
      message.writeBigUInt64BE(counter++, 4)
      block = createHmac('sha256', key).update(message).digest()
      offset = 0
    }
    const word = block.readUInt32BE(offset)
    offset += 4
    return word
  }
}

/** Rejection sampling: words from the incomplete last multiple of n are discarded, so no modulo bias. */
function uniformBelow(n: number, next: () => number): number {
  const limit = 2 ** 32 - (2 ** 32 % n)
  let word = next()
  while (word >= limit) word = next()
  return word % n
}
