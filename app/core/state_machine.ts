import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import audit, { type AuditActor } from '#core/audit/audit_service'

/** What a transition needs besides the actor: a free-text reason, or a list of itemised reasons. */
export type RequiredInput = 'reason' | 'reasons'

/** One row of a transition table: the states it leaves, the state it reaches, who may take it. */
export interface TransitionRule<S extends string, R extends string = string> {
  from: readonly S[]
  to: S
  /** the role that may take it; absent = any caller (the service checks who) */
  role?: R
  requires?: RequiredInput
}

/** An explicit table of allowed transitions, keyed by action name. */
export type TransitionTable<S extends string, A extends string, R extends string = string> = {
  readonly [K in A]: TransitionRule<S, R>
}

/** Why a transition is refused; the machine's i18n prefix turns it into a key. */
export type TransitionRefusal = 'illegal_state' | 'wrong_role' | 'reason_required'

export interface TransitionInput {
  reason?: string | null
  reasons?: readonly string[]
}

/** Builds the error a refusal is thrown as (the module's own error type, i18n-keyed). */
export type RefusalFactory = (i18nKey: string, values: Record<string, string | number>) => Error

/** What `apply` writes besides the state column. */
export interface ApplyOptions<S extends string, A extends string> {
  trx: TransactionClientContract
  /** the row to move */
  id: number
  /** the state the caller read (on a locked row); the update only succeeds if it is still there */
  from: S
  action: A
  actor: AuditActor & { roles: readonly string[] | 'system' }
  input?: TransitionInput & { comment?: string | null }
  /** extra columns to set with the state (updated_at is set when `touch`) */
  columns?: Record<string, unknown>
  touch?: boolean
  /** the audit row: action code and target; details get from/to/comment/reasons merged in */
  audit?: {
    action?: string
    targetType: string
    targetId: number
    details?: Record<string, unknown>
  }
  /** the timeline entry (project_transitions …), written in the same transaction */
  timeline?: (entry: { from: S; to: S; action: A }) => Promise<unknown>
}

/** Number of rows an update touched, across drivers (sqlite returns [n] or n, mysql n). */
export function affectedRows(result: unknown) {
  return Number(Array.isArray(result) ? result[0] : result)
}

function sqlNow() {
  return new Date().toISOString().slice(0, 19).replace('T', ' ')
}

/**
 * One state machine over one table: the allowed transitions, a check that names the refusal,
 * an assert that throws it in the module's error type, and `apply`, the compare-and-set update
 * (UPDATE … WHERE state = from; no row changed = someone else moved it first) with its timeline
 * entry and audit row in the caller's transaction. Projects, panels, seats, score sheets and
 * acceptance sheets all go through one of these, so no service compares state strings by hand.
 */
export class StateMachine<S extends string, A extends string, R extends string = string> {
  constructor(
    readonly name: string,
    readonly table: TransitionTable<S, A, R>,
    readonly options: {
      /** database table and state column `apply` updates */
      dbTable: string
      column?: string
      /** i18n prefix of refusals: `${prefix}.${refusal}`, and `${prefix}.concurrent_change` */
      errorPrefix: string
      refuse: RefusalFactory
    }
  ) {}

  rule(action: A): TransitionRule<S, R> {
    return this.table[action]
  }

  /** The state an action leads to. */
  target(action: A): S {
    return this.table[action].to
  }

  /** Whether the table allows the action from the state (roles not considered). */
  can(state: S, action: A) {
    return this.table[action].from.includes(state)
  }

  /** Checks a requested transition against the table; null when it is allowed. */
  check(
    state: S,
    action: A,
    roles: readonly string[] | 'system',
    input: TransitionInput = {}
  ): TransitionRefusal | null {
    const rule = this.table[action]
    if (!rule.from.includes(state)) return 'illegal_state'
    if (roles !== 'system' && rule.role && !roles.includes(rule.role)) return 'wrong_role'
    if (rule.requires === 'reason' && !input.reason?.trim()) return 'reason_required'
    if (
      rule.requires === 'reasons' &&
      !(input.reasons ?? []).some((reason) => reason.trim() !== '')
    ) {
      return 'reason_required'
    }
    return null
  }

  /** Throws the refusal (in the module's error type) unless the transition is allowed. */
  assert(
    state: S,
    action: A,
    roles: readonly string[] | 'system' = 'system',
    input: TransitionInput = {}
  ) {
    const refusal = this.check(state, action, roles, input)
    if (refusal) {
      throw this.options.refuse(`${this.options.errorPrefix}.${refusal}`, { action, state })
    }
  }

  /** The actions the table allows from a state for someone holding the given roles. */
  available(state: S, roles: readonly string[]): A[] {
    return (Object.keys(this.table) as A[]).filter((action) => {
      const rule = this.table[action]
      return rule.from.includes(state) && (!rule.role || roles.includes(rule.role))
    })
  }

  /**
   * Asserts the transition, then moves the row with a compare-and-set update, writes the
   * timeline entry and the audit row; all in the caller's transaction. Returns the new state.
   */
  async apply(options: ApplyOptions<S, A>): Promise<S> {
    const { trx, id, from, action, actor, input = {} } = options
    this.assert(from, action, actor.roles, {
      reason: input.reason ?? input.comment,
      reasons: input.reasons,
    })
    const to = this.table[action].to
    const column = this.options.column ?? 'state'
    const changed = await trx
      .from(this.options.dbTable)
      .where('id', id)
      .where(column, from)
      .update({
        [column]: to,
        ...(options.touch === false ? {} : { updated_at: sqlNow() }),
        ...options.columns,
      })
    if (affectedRows(changed) !== 1) {
      throw this.options.refuse(`${this.options.errorPrefix}.concurrent_change`, {
        action,
        state: from,
      })
    }
    if (options.timeline) await options.timeline({ from, to, action })
    if (options.audit) {
      const comment = input.comment?.trim() || input.reason?.trim() || null
      const reasons = (input.reasons ?? []).map((reason) => reason.trim()).filter(Boolean)
      await audit.record(
        {
          actorId: actor.actorId,
          actorName: actor.actorName,
          ip: actor.ip,
          action: options.audit.action ?? `${this.name}.${action}`,
          targetType: options.audit.targetType,
          targetId: options.audit.targetId,
          details: {
            from,
            to,
            ...(comment ? { comment } : {}),
            ...(reasons.length ? { reasons } : {}),
            ...options.audit.details,
          },
        },
        trx
      )
    }
    return to
  }
}
