import db from '@adonisjs/lucid/services/db'
import Unit, { type UnitKind } from '#identity/models/unit'
import User from '#identity/models/user'
import UserRole from '#identity/models/user_role'
import type { Role } from '#identity/roles'
import audit from '#core/audit/audit_service'

/** The bureau and the county departments of the seeds. */
export const DEMO_UNITS: Array<{ code: string; name: string; kind: UnitKind }> = [
  { code: 'SJJ', name: '县数据资源管理局', kind: 'bureau' },
  { code: 'GAJ', name: '县公安局', kind: 'department' },
  { code: 'SFJ', name: '县司法局', kind: 'department' },
  { code: 'JYJ', name: '县教育局', kind: 'department' },
  { code: 'CGJ', name: '县城市管理局', kind: 'department' },
  { code: 'ZJJ', name: '县住房和城乡建设局', kind: 'department' },
  { code: 'JTJ', name: '县交通运输局', kind: 'department' },
  { code: 'MZJ', name: '县民政局', kind: 'department' },
  { code: 'ZRZY', name: '县自然资源和规划局', kind: 'department' },
  { code: 'WJW', name: '县卫生健康委员会', kind: 'department' },
  { code: 'RSJ', name: '县人力资源和社会保障局', kind: 'department' },
  { code: 'YBJ', name: '县医疗保障局', kind: 'department' },
  { code: 'SLJ', name: '县水利局', kind: 'department' },
  { code: 'STHJ', name: '市生态环境局县分局', kind: 'department' },
  { code: 'YJJ', name: '县应急管理局', kind: 'department' },
]

/** Demo password: satisfies the policy and contains no demo username. */
export const DEMO_PASSWORD = 'Shuzhi@2026!'

export const DEMO_ACCOUNTS: Array<{
  username: string
  fullName: string
  roles: Role[]
  unit: string
}> = [
  { username: 'admin', fullName: '王系统', roles: ['sysadmin'], unit: 'SJJ' },
  // A second sysadmin: resetting someone's second factor takes two administrators.
  { username: 'admin2', fullName: '周系统', roles: ['sysadmin'], unit: 'SJJ' },
  { username: 'auditor', fullName: '李审计', roles: ['auditor'], unit: 'SJJ' },
  { username: 'netadmin', fullName: '张网管', roles: ['netadmin'], unit: 'SJJ' },
  { username: 'reviewer', fullName: '赵审核', roles: ['reviewer'], unit: 'SJJ' },
  { username: 'expert', fullName: '陈专家', roles: ['expert'], unit: 'SJJ' },
  { username: 'applicant', fullName: '刘经办', roles: ['applicant'], unit: 'GAJ' },
]

/** Creates what is missing; never changes what exists (safe to run again). */
export async function seedIdentity(log: (line: string) => void = () => {}) {
  return db.transaction(async (trx) => {
    const unitIds = new Map<string, number>()
    let createdUnits = 0
    for (const spec of DEMO_UNITS) {
      let unit = await Unit.query({ client: trx }).where('code', spec.code).first()
      if (!unit) {
        unit = await Unit.create({ ...spec, isActive: true }, { client: trx })
        createdUnits++
      }
      unitIds.set(spec.code, unit.id)
    }
    let createdUsers = 0
    for (const account of DEMO_ACCOUNTS) {
      const exists = await User.query({ client: trx }).where('username', account.username).first()
      if (exists) continue
      const user = await User.create(
        {
          username: account.username,
          fullName: account.fullName,
          unitId: unitIds.get(account.unit)!,
          password: DEMO_PASSWORD,
          isActive: true,
          failedLoginCount: 0,
          mustChangePassword: false,
        },
        { client: trx }
      )
      await UserRole.createMany(
        account.roles.map((role) => ({ userId: user.id, role })),
        { client: trx }
      )
      createdUsers++
    }
    if (createdUnits || createdUsers) {
      await audit.record(
        { action: 'demo.seed', details: { units: createdUnits, users: createdUsers } },
        trx
      )
    }
    log(`units: ${createdUnits} created, ${DEMO_UNITS.length - createdUnits} already there`)
    log(`users: ${createdUsers} created, ${DEMO_ACCOUNTS.length - createdUsers} already there`)
    return { createdUnits, createdUsers }
  })
}
