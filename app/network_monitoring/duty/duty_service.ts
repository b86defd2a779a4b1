/**
 * The 值班表: shifts, copy of last week, swaps, 重点敏感时期 and who is on duty at a moment.
 * Every change is one transaction with its audit row.
 */
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import User from '#identity/models/user'
import audit, { type AuditActor } from '#core/audit/audit_service'
import { RuleError } from '#core/rule_error'
import DutyShift, { type ShiftKind } from '#network_monitoring/duty/duty_shift'
import SensitivePeriod from '#network_monitoring/duty/sensitive_period'
import { dutyClock } from '#network_monitoring/duty/duty_clock'
import { DUTY_ZONE, coverageGaps, overlaps, type Interval } from '#network_monitoring/duty/roster'

export type DutyErrorCode =
  | 'overlap'
  | 'end_before_start'
  | 'invalid_time'
  | 'period_too_long'
  | 'not_leader'
  | 'too_long'
  | 'not_staff'
  | 'not_found'
  | 'nothing_to_copy'
  | 'same_person'

/** A roster change refused, with the i18n key (duty.errors.*) of its Chinese message. */
export class DutyError extends RuleError<DutyErrorCode> {
  constructor(code: DutyErrorCode, details: Record<string, string | number> = {}) {
    super(code, `duty.errors.${code}`, details)
  }
}

export interface ShiftInput {
  userId: number
  kind: ShiftKind
  startsAt: DateTime
  endsAt: DateTime
  phone?: string | null
  note?: string | null
}

/** Longest single shift: a 24-hour duty plus handover. */
const MAX_SHIFT_HOURS = 26

/**
 * Longest 重点敏感时期: 24-hour duty is for a meeting or a holiday, not a standing mode (that is
 * what the notification settings are for); a longer one is set in parts.
 */
export const MAX_PERIOD_DAYS = 90

function sql(at: DateTime) {
  return at.toUTC().toFormat('yyyy-MM-dd HH:mm:ss')
}

function label(at: DateTime) {
  return at.setZone(DUTY_ZONE).toFormat('MM-dd HH:mm')
}

export interface OnDuty {
  at: DateTime
  primary: DutyShift[]
  secondary: DutyShift[]
  leader: DutyShift[]
  /** Nobody on a primary or secondary shift: 无人值班. */
  gap: boolean
  period: SensitivePeriod | null
}

export class DutyService {
  /** Active network administrators who can be put on the roster. */
  async staff() {
    return User.query()
      .where('is_active', true)
      .whereHas('roleRows', (q) => q.where('role', 'netadmin'))
      .orderBy('full_name')
  }

  /** Whether `userId` is an active network administrator (who may be on the roster). */
  async isStaff(userId: number) {
    const row = await User.query()
      .where('id', userId)
      .where('is_active', true)
      .whereHas('roleRows', (q) => q.where('role', 'netadmin'))
      .first()
    return row !== null
  }

  protected async assertStaff(userId: number, trx: TransactionClientContract) {
    const user = await User.query({ client: trx })
      .where('id', userId)
      .where('is_active', true)
      .whereHas('roleRows', (q) => q.where('role', 'netadmin'))
      .first()
    if (!user) throw new DutyError('not_staff')
    return user
  }

  protected assertTimes(startsAt: DateTime, endsAt: DateTime) {
    if (endsAt <= startsAt) throw new DutyError('end_before_start')
    if (endsAt.diff(startsAt, 'hours').hours > MAX_SHIFT_HOURS) {
      throw new DutyError('too_long', { hours: MAX_SHIFT_HOURS })
    }
  }

  /** Refuses a shift of `userId` overlapping another of theirs (except `exceptId`). */
  protected async assertNoOverlap(
    userId: number,
    startsAt: DateTime,
    endsAt: DateTime,
    trx: TransactionClientContract,
    exceptIds: number[] = []
  ) {
    const query = DutyShift.query({ client: trx })
      .where('user_id', userId)
      .where('starts_at', '<', sql(endsAt))
      .where('ends_at', '>', sql(startsAt))
    if (exceptIds.length) query.whereNotIn('id', exceptIds)
    const clash = await query.preload('user').first()
    if (clash) {
      throw new DutyError('overlap', {
        name: clash.user.fullName,
        from: label(clash.startsAt),
        to: label(clash.endsAt),
      })
    }
  }

  async createShift(input: ShiftInput, actor: AuditActor) {
    this.assertTimes(input.startsAt, input.endsAt)
    return db.transaction(async (trx) => {
      const user = await this.assertStaff(input.userId, trx)
      await this.assertNoOverlap(input.userId, input.startsAt, input.endsAt, trx)
      const shift = await DutyShift.create(
        {
          userId: input.userId,
          kind: input.kind,
          startsAt: input.startsAt.toUTC(),
          endsAt: input.endsAt.toUTC(),
          phone: input.phone || user.phone || null,
          note: input.note || null,
        },
        { client: trx }
      )
      await audit.record(
        {
          ...actor,
          action: 'duty.shift_create',
          targetType: 'duty_shift',
          targetId: shift.id,
          details: {
            name: user.fullName,
            from: label(shift.startsAt),
            to: label(shift.endsAt),
            kind: shift.kind,
          },
        },
        trx
      )
      return shift
    })
  }

  async updateShift(id: number, input: ShiftInput, actor: AuditActor) {
    this.assertTimes(input.startsAt, input.endsAt)
    return db.transaction(async (trx) => {
      const shift = await DutyShift.query({ client: trx }).where('id', id).first()
      if (!shift) throw new DutyError('not_found')
      const user = await this.assertStaff(input.userId, trx)
      await this.assertNoOverlap(input.userId, input.startsAt, input.endsAt, trx, [id])
      const before = { userId: shift.userId, from: label(shift.startsAt), to: label(shift.endsAt) }
      shift.merge({
        userId: input.userId,
        kind: input.kind,
        startsAt: input.startsAt.toUTC(),
        endsAt: input.endsAt.toUTC(),
        phone: input.phone || user.phone || null,
        note: input.note || null,
      })
      await shift.useTransaction(trx).save()
      await audit.record(
        {
          ...actor,
          action: 'duty.shift_update',
          targetType: 'duty_shift',
          targetId: shift.id,
          details: {
            before,
            after: { userId: shift.userId, from: label(shift.startsAt), to: label(shift.endsAt) },
          },
        },
        trx
      )
      return shift
    })
  }

  async deleteShift(id: number, actor: AuditActor) {
    return db.transaction(async (trx) => {
      const shift = await DutyShift.query({ client: trx }).where('id', id).preload('user').first()
      if (!shift) throw new DutyError('not_found')
      await shift.useTransaction(trx).delete()
      await audit.record(
        {
          ...actor,
          action: 'duty.shift_delete',
          targetType: 'duty_shift',
          targetId: id,
          details: {
            name: shift.user.fullName,
            from: label(shift.startsAt),
            to: label(shift.endsAt),
          },
        },
        trx
      )
    })
  }

  /**
   * 复制上周: every shift that starts in the week before `weekStart` is copied 7 days later, in
   * one transaction; one copied shift overlapping a shift already there refuses the whole copy.
   */
  async copyLastWeek(weekStart: DateTime, actor: AuditActor) {
    const target = weekStart.setZone(DUTY_ZONE).startOf('week')
    const source = target.minus({ weeks: 1 })
    return db.transaction(async (trx) => {
      const shifts = await DutyShift.query({ client: trx })
        .where('starts_at', '>=', sql(source))
        .where('starts_at', '<', sql(target))
        .orderBy('starts_at')
      if (shifts.length === 0) {
        throw new DutyError('nothing_to_copy', { week: source.toFormat('yyyy-MM-dd') })
      }
      const copies = shifts.map((shift) => ({
        userId: shift.userId,
        kind: shift.kind,
        startsAt: shift.startsAt.setZone(DUTY_ZONE).plus({ weeks: 1 }).toUTC(),
        endsAt: shift.endsAt.setZone(DUTY_ZONE).plus({ weeks: 1 }).toUTC(),
        phone: shift.phone,
        note: shift.note,
      }))
      for (const copy of copies) {
        await this.assertNoOverlap(copy.userId, copy.startsAt, copy.endsAt, trx)
      }
      await DutyShift.createMany(copies, { client: trx })
      await audit.record(
        {
          ...actor,
          action: 'duty.copy_week',
          targetType: null,
          details: { week: target.toFormat('yyyy-MM-dd'), copied: copies.length },
        },
        trx
      )
      return copies.length
    })
  }

  /** 换班: the shift goes to another person, with the reason kept and audited. */
  async swap(shiftId: number, toUserId: number, reason: string, actor: AuditActor) {
    return db.transaction(async (trx) => {
      const shift = await DutyShift.query({ client: trx })
        .where('id', shiftId)
        .preload('user')
        .first()
      if (!shift) throw new DutyError('not_found')
      if (shift.userId === toUserId) throw new DutyError('same_person')
      const to = await this.assertStaff(toUserId, trx)
      await this.assertNoOverlap(toUserId, shift.startsAt, shift.endsAt, trx, [shift.id])
      const fromUserId = shift.userId
      await trx.table('duty_swaps').insert({
        shift_id: shift.id,
        from_user_id: fromUserId,
        to_user_id: toUserId,
        reason,
        created_by_id: actor.actorId,
        created_at: sql(DateTime.utc()),
      })
      shift.merge({ userId: toUserId, phone: to.phone ?? null })
      await shift.useTransaction(trx).save()
      await audit.record(
        {
          ...actor,
          action: 'duty.swap',
          targetType: 'duty_shift',
          targetId: shift.id,
          details: {
            before: shift.user.fullName,
            after: to.fullName,
            from: label(shift.startsAt),
            to: label(shift.endsAt),
            reason,
          },
        },
        trx
      )
      return shift
    })
  }

  async createPeriod(name: string, startsAt: DateTime, endsAt: DateTime, actor: AuditActor) {
    if (endsAt <= startsAt) throw new DutyError('end_before_start')
    if (endsAt.diff(startsAt, 'days').days > MAX_PERIOD_DAYS) {
      throw new DutyError('period_too_long', { days: MAX_PERIOD_DAYS })
    }
    return db.transaction(async (trx) => {
      const period = await SensitivePeriod.create(
        { name, startsAt: startsAt.toUTC(), endsAt: endsAt.toUTC(), createdById: actor.actorId },
        { client: trx }
      )
      await audit.record(
        {
          ...actor,
          action: 'duty.period_create',
          targetType: 'sensitive_period',
          targetId: period.id,
          details: { name, from: label(period.startsAt), to: label(period.endsAt) },
        },
        trx
      )
      return period
    })
  }

  async deletePeriod(id: number, actor: AuditActor) {
    return db.transaction(async (trx) => {
      const period = await SensitivePeriod.query({ client: trx }).where('id', id).first()
      if (!period) throw new DutyError('not_found')
      await period.useTransaction(trx).delete()
      await audit.record(
        {
          ...actor,
          action: 'duty.period_delete',
          targetType: 'sensitive_period',
          targetId: id,
          details: { name: period.name },
        },
        trx
      )
    })
  }

  /** The 重点敏感时期 covering `at`, if any. */
  async periodAt(at: DateTime, client?: TransactionClientContract) {
    return SensitivePeriod.query(client ? { client } : {})
      .where('starts_at', '<=', sql(at))
      .where('ends_at', '>', sql(at))
      .orderBy('starts_at')
      .first()
  }

  /** Who is on duty at `at`, by kind; `gap` when no primary or secondary shift covers it. */
  async onDutyAt(at: DateTime, client?: TransactionClientContract): Promise<OnDuty> {
    const shifts = await DutyShift.query(client ? { client } : {})
      .where('starts_at', '<=', sql(at))
      .where('ends_at', '>', sql(at))
      .preload('user')
      .orderBy('starts_at')
      .orderBy('id')
    const of = (kind: ShiftKind) => shifts.filter((shift) => shift.kind === kind)
    const primary = of('primary')
    const secondary = of('secondary')
    return {
      at,
      primary,
      secondary,
      leader: of('leader'),
      gap: primary.length === 0 && secondary.length === 0,
      period: (await this.periodAt(at, client)) ?? null,
    }
  }

  /** Shifts touching [from, to), with their people. */
  async shiftsBetween(from: DateTime, to: DateTime) {
    return DutyShift.query()
      .where('starts_at', '<', sql(to))
      .where('ends_at', '>', sql(from))
      .preload('user')
      .orderBy('starts_at')
      .orderBy('id')
  }

  async periodsBetween(from: DateTime, to: DateTime) {
    return SensitivePeriod.query()
      .where('starts_at', '<', sql(to))
      .where('ends_at', '>', sql(from))
      .orderBy('starts_at')
  }

  /**
   * Where 24-hour duty is broken: the parts of each 重点敏感时期 inside [from, to) that no primary
   * or secondary shift covers.
   */
  gapsInPeriods(shifts: DutyShift[], periods: SensitivePeriod[], from: DateTime, to: DateTime) {
    const covered: Interval[] = shifts
      .filter((shift) => shift.kind !== 'leader')
      .map((shift) => ({ start: shift.startsAt.toMillis(), end: shift.endsAt.toMillis() }))
    const gaps: Array<Interval & { period: string }> = []
    for (const period of periods) {
      const start = Math.max(period.startsAt.toMillis(), from.toMillis())
      const end = Math.min(period.endsAt.toMillis(), to.toMillis())
      if (end <= start) continue
      for (const gap of coverageGaps(covered, start, end))
        gaps.push({ ...gap, period: period.name })
    }
    return gaps
  }

  /** True when two shifts of one person would overlap (for pure checks and tests). */
  static clash(a: Interval, b: Interval) {
    return overlaps(a, b)
  }
}

const duty = new DutyService()
export default duty

/** Who is on duty at the duty clock's now (the board and the 值班表 show it). */
export function onDutyNow() {
  return duty.onDutyAt(DateTime.fromJSDate(dutyClock.now()))
}
