import hash from '@adonisjs/core/services/hash'
import type { Group } from '@japa/runner/core'
import Unit from '#identity/models/unit'
import User from '#identity/models/user'
import UserRole from '#identity/models/user_role'
import type { Role } from '#identity/roles'

/**
 * Tests hash passwords with the fake hasher (tests/bootstrap.ts); a login
 * test group calls this to hash and verify with the real scrypt instead.
 */
export function realPasswordHashing(group: Group) {
  group.setup(() => {
    hash.restore()
    return () => {
      hash.fake()
    }
  })
}

/** A password that satisfies the policy, for test accounts. */
export const GOOD_PASSWORD = 'Test#Passw0rd'

let sequence = 0

export async function createUnit(overrides: Partial<Pick<Unit, 'code' | 'name' | 'kind'>> = {}) {
  sequence++
  return Unit.create({
    code: `U${sequence}${Date.now() % 100000}`,
    name: `测试单位${sequence}-${Date.now() % 100000}`,
    kind: 'department',
    isActive: true,
    ...overrides,
  })
}

/** Creates a user with the given roles (and a unit when none is given). */
export async function createUser(
  options: {
    roles?: Role[]
    username?: string
    password?: string
    isActive?: boolean
    unit?: Unit
    fullName?: string
  } = {}
) {
  sequence++
  const unit = options.unit ?? (await createUnit())
  const user = await User.create({
    username: options.username ?? `user${sequence}_${Date.now() % 100000}`,
    fullName: options.fullName ?? `测试用户${sequence}`,
    unitId: unit.id,
    password: options.password ?? GOOD_PASSWORD,
    isActive: options.isActive ?? true,
    failedLoginCount: 0,
    mustChangePassword: false,
  })
  await UserRole.createMany(
    (options.roles ?? ['applicant']).map((role) => ({ userId: user.id, role }))
  )
  await user.load('roleRows')
  return user
}
