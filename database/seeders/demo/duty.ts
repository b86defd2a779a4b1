/**
 * Demo 值班表: three more network administrators (值班员 zb01/zb02, 带班领导 zbld), 24-hour shifts
 * for last week, this week and next week (08:00 handover), and a 重点敏感时期 over the coming
 * days. Skipped when the roster already has shifts.
 */
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import Unit from '#identity/models/unit'
import User from '#identity/models/user'
import UserRole from '#identity/models/user_role'
import DutyShift from '#network_monitoring/duty/duty_shift'
import SensitivePeriod from '#network_monitoring/duty/sensitive_period'
import { DEMO_PASSWORD } from '#database/seeders/demo/identity'
import { DUTY_ZONE } from '#network_monitoring/duty/roster'

const DUTY_STAFF = [
  { username: 'zb01', fullName: '孙值班', phone: '13800000101' },
  { username: 'zb02', fullName: '吴值班', phone: '13800000102' },
  { username: 'zbld', fullName: '郑带班', phone: '13800000109' },
]

export async function seedDuty(log: (line: string) => void = () => {}, now = DateTime.utc()) {
  const existing = await DutyShift.query().count('* as total')
  if (Number(existing[0].$extras.total) > 0) return null
  return db.transaction(async (trx) => {
    const bureau = await Unit.query({ client: trx }).where('code', 'SJJ').first()
    const people: User[] = []
    const netadmin = await User.query({ client: trx }).where('username', 'netadmin').first()
    if (netadmin) {
      if (!netadmin.email) netadmin.merge({ email: 'netadmin@shuzhi.local', phone: '13800000100' })
      await netadmin.useTransaction(trx).save()
      people.push(netadmin)
    }
    for (const spec of DUTY_STAFF) {
      let user = await User.query({ client: trx }).where('username', spec.username).first()
      if (!user) {
        user = await User.create(
          {
            username: spec.username,
            fullName: spec.fullName,
            email: `${spec.username}@shuzhi.local`,
            phone: spec.phone,
            unitId: bureau?.id ?? null,
            password: DEMO_PASSWORD,
            isActive: true,
            failedLoginCount: 0,
            mustChangePassword: false,
          },
          { client: trx }
        )
        await UserRole.create({ userId: user.id, role: 'netadmin' }, { client: trx })
      }
      people.push(user)
    }
    const leader = people.pop()!
    const monday = now.setZone(DUTY_ZONE).startOf('week').minus({ weeks: 1 })
    const rows = []
    for (let day = 0; day < 21; day++) {
      const start = monday.plus({ days: day }).set({ hour: 8 })
      const end = start.plus({ days: 1 })
      const primary = people[day % people.length]
      const secondary = people[(day + 1) % people.length]
      rows.push(
        {
          userId: primary.id,
          kind: 'primary' as const,
          startsAt: start.toUTC(),
          endsAt: end.toUTC(),
          phone: primary.phone,
        },
        {
          userId: secondary.id,
          kind: 'secondary' as const,
          startsAt: start.toUTC(),
          endsAt: end.toUTC(),
          phone: secondary.phone,
        },
        {
          userId: leader.id,
          kind: 'leader' as const,
          startsAt: start.toUTC(),
          endsAt: end.toUTC(),
          phone: leader.phone,
        }
      )
    }
    await DutyShift.createMany(rows, { client: trx })
    const periodStart = now.setZone(DUTY_ZONE).startOf('day').plus({ days: 2 })
    await SensitivePeriod.create(
      {
        name: '重要会议保障期间',
        startsAt: periodStart.toUTC(),
        endsAt: periodStart.plus({ days: 3 }).toUTC(),
        createdById: null,
      },
      { client: trx }
    )
    log(`duty roster: ${rows.length} shifts over 3 weeks, 1 sensitive period`)
    return { shifts: rows.length }
  })
}
