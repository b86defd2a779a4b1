import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { HttpContext } from '@adonisjs/core/http'
import audit, { actorFrom } from '#core/audit/audit_service'
import { ModuleMessagesProvider } from '#core/i18n/module_messages_provider'
import DutyPolicy from '#network_monitoring/duty/duty_policy'
import duty, { DutyError } from '#network_monitoring/duty/duty_service'
import {
  DUTY_ZONE,
  MAX_YEAR,
  MIN_YEAR,
  beijingDateTime,
  beijingDay,
  beijingMonth,
  weekStartOf,
} from '#network_monitoring/duty/roster'
import {
  copyValidator,
  periodValidator,
  settingsValidator,
  shiftValidator,
  swapValidator,
} from '#network_monitoring/duty/duty_validators'
import {
  GRADES,
  loadDutySettings,
  saveDutySettings,
  type Grade,
} from '#network_monitoring/duty/duty_settings'
import { dutyClock } from '#network_monitoring/duty/duty_clock'

function messages(ctx: HttpContext) {
  return { messagesProvider: new ModuleMessagesProvider(ctx.i18n, 'duty') }
}

/** Runs a roster change; a refused one flashes its Chinese reason and keeps the input. */
async function attempt(ctx: HttpContext, change: () => Promise<string>) {
  try {
    ctx.session.flash('success', await change())
  } catch (error) {
    if (!(error instanceof DutyError)) throw error
    ctx.session.flash('error', ctx.i18n.t(error.i18nKey, error.details))
    ctx.session.flashAll()
  }
  return ctx.response.redirect().back()
}

/** As strings: ICU would print a number as "2,000". */
const YEARS = { min: String(MIN_YEAR), max: String(MAX_YEAR) }

function dateTimes(payload: { startsAt: string; endsAt: string }) {
  const startsAt = beijingDateTime(payload.startsAt)
  const endsAt = beijingDateTime(payload.endsAt)
  if (!startsAt || !endsAt) throw new DutyError('invalid_time', YEARS)
  return { startsAt, endsAt }
}

/** 值班表: week and month calendars, shifts, swaps, 重点敏感时期, notification settings. */
export default class DutyController {
  async week(ctx: HttpContext) {
    const { view, bouncer, request } = ctx
    await bouncer.with(DutyPolicy).authorize('view')
    const now = DateTime.fromJSDate(dutyClock.now())
    const start = weekStartOf(beijingDay(request.input('week')) ?? now)
    const end = start.plus({ weeks: 1 })
    const [shifts, periods, staff, onDuty] = await Promise.all([
      duty.shiftsBetween(start, end),
      duty.periodsBetween(start, end),
      duty.staff(),
      duty.onDutyAt(now),
    ])
    const days = Array.from({ length: 7 }, (_, i) => {
      const from = start.plus({ days: i })
      const to = from.plus({ days: 1 })
      return {
        date: from,
        // each shift is listed on the day it starts (a 24-hour shift is not shown twice)
        shifts: shifts.filter((s) => s.startsAt >= from && s.startsAt < to),
        sensitive: periods.some((p) => p.startsAt < to && p.endsAt > from),
      }
    })
    const gaps = duty.gapsInPeriods(shifts, periods, start, end).map((gap) => ({
      period: gap.period,
      from: DateTime.fromMillis(gap.start, { zone: DUTY_ZONE }),
      to: DateTime.fromMillis(gap.end, { zone: DUTY_ZONE }),
    }))
    return view.render('pages/duty/week', {
      start,
      prevWeek: start.minus({ weeks: 1 }).toFormat('yyyy-MM-dd'),
      nextWeek: end.toFormat('yyyy-MM-dd'),
      days,
      periods,
      gaps,
      staff,
      onDuty,
      canManage: await bouncer.with(DutyPolicy).allows('manage'),
    })
  }

  async month(ctx: HttpContext) {
    const { view, bouncer, request } = ctx
    await bouncer.with(DutyPolicy).authorize('view')
    const now = DateTime.fromJSDate(dutyClock.now()).setZone(DUTY_ZONE)
    const first = (beijingMonth(request.input('month')) ?? now).startOf('month')
    const gridStart = first.startOf('week')
    const gridEnd = first.endOf('month').endOf('week').plus({ milliseconds: 1 })
    const [shifts, periods] = await Promise.all([
      duty.shiftsBetween(gridStart, gridEnd),
      duty.periodsBetween(gridStart, gridEnd),
    ])
    const weeks = []
    for (let w = gridStart; w < gridEnd; w = w.plus({ weeks: 1 })) {
      weeks.push(
        Array.from({ length: 7 }, (_, i) => {
          const from = w.plus({ days: i })
          const to = from.plus({ days: 1 })
          return {
            date: from,
            inMonth: from.month === first.month,
            shifts: shifts.filter((s) => s.startsAt >= from && s.startsAt < to),
            sensitive: periods.some((p) => p.startsAt < to && p.endsAt > from),
          }
        })
      )
    }
    return view.render('pages/duty/month', {
      first,
      weeks,
      prevMonth: first.minus({ months: 1 }).toFormat('yyyy-MM'),
      nextMonth: first.plus({ months: 1 }).toFormat('yyyy-MM'),
    })
  }

  async storeShift(ctx: HttpContext) {
    await ctx.bouncer.with(DutyPolicy).authorize('manage')
    const payload = await ctx.request.validateUsing(shiftValidator, messages(ctx))
    return attempt(ctx, async () => {
      const { startsAt, endsAt } = dateTimes(payload)
      await duty.createShift({ ...payload, startsAt, endsAt }, actorFrom(ctx))
      return ctx.i18n.t('duty.shift_created')
    })
  }

  async destroyShift(ctx: HttpContext) {
    await ctx.bouncer.with(DutyPolicy).authorize('manage')
    return attempt(ctx, async () => {
      await duty.deleteShift(ctx.params.id, actorFrom(ctx))
      return ctx.i18n.t('duty.shift_deleted')
    })
  }

  async swap(ctx: HttpContext) {
    await ctx.bouncer.with(DutyPolicy).authorize('manage')
    const payload = await ctx.request.validateUsing(swapValidator, messages(ctx))
    return attempt(ctx, async () => {
      const shift = await duty.swap(ctx.params.id, payload.toUserId, payload.reason, actorFrom(ctx))
      await shift.load('user')
      return ctx.i18n.t('duty.swapped', { name: shift.user.fullName })
    })
  }

  async copyLastWeek(ctx: HttpContext) {
    await ctx.bouncer.with(DutyPolicy).authorize('manage')
    const payload = await ctx.request.validateUsing(copyValidator, messages(ctx))
    return attempt(ctx, async () => {
      const week = beijingDay(payload.week)
      if (!week) throw new DutyError('invalid_time', YEARS)
      const copied = await duty.copyLastWeek(week, actorFrom(ctx))
      return ctx.i18n.t('duty.copied', { count: copied })
    })
  }

  async storePeriod(ctx: HttpContext) {
    await ctx.bouncer.with(DutyPolicy).authorize('manage')
    const payload = await ctx.request.validateUsing(periodValidator, messages(ctx))
    return attempt(ctx, async () => {
      const { startsAt, endsAt } = dateTimes(payload)
      await duty.createPeriod(payload.name, startsAt, endsAt, actorFrom(ctx))
      return ctx.i18n.t('duty.period_created')
    })
  }

  async destroyPeriod(ctx: HttpContext) {
    await ctx.bouncer.with(DutyPolicy).authorize('manage')
    return attempt(ctx, async () => {
      await duty.deletePeriod(ctx.params.id, actorFrom(ctx))
      return ctx.i18n.t('duty.period_deleted')
    })
  }

  async settings(ctx: HttpContext) {
    await ctx.bouncer.with(DutyPolicy).authorize('view')
    return ctx.view.render('pages/duty/settings', {
      settings: await loadDutySettings(),
      grades: GRADES,
      staff: await duty.staff(),
    })
  }

  async saveSettings(ctx: HttpContext) {
    await ctx.bouncer.with(DutyPolicy).authorize('manage')
    const p = await ctx.request.validateUsing(settingsValidator, messages(ctx))
    const g = (value: string) => Number(value) as Grade
    return attempt(ctx, async () => {
      const leaderUserId = p.leaderUserId ?? null
      if (leaderUserId !== null && !(await duty.isStaff(leaderUserId))) {
        throw new DutyError('not_leader')
      }
      await db.transaction(async (trx) => {
        const before = await loadDutySettings(trx)
        const after = {
          mailGrade: g(p.mailGrade),
          sensitiveMailGrade: g(p.sensitiveMailGrade),
          escalateMinutes: { 1: p.escalate1, 2: p.escalate2, 3: p.escalate3, 4: p.escalate4 },
          sensitiveEscalateMinutes: {
            1: p.sensitive1,
            2: p.sensitive2,
            3: p.sensitive3,
            4: p.sensitive4,
          },
          stormThreshold: p.stormThreshold,
          stormWindowMinutes: p.stormWindowMinutes,
          fallbackEmail: p.fallbackEmail,
          leaderUserId,
        }
        await saveDutySettings(after, trx)
        await audit.record(
          { ...actorFrom(ctx), action: 'duty.settings_update', details: { before, after } },
          trx
        )
      })
      return ctx.i18n.t('duty.settings_saved')
    })
  }
}
