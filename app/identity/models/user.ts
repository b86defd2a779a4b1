import { DateTime } from 'luxon'
import hash from '@adonisjs/core/services/hash'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel, beforeSave, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import { withAuthFinder } from '@adonisjs/auth/mixins/lucid'
import Unit from '#identity/models/unit'
import UserRole from '#identity/models/user_role'
import type { Role } from '#identity/roles'

/** The one spelling of a username that is stored and looked up. */
export function normaliseUsername(username: string) {
  return username.trim().toLowerCase()
}

const AuthFinder = withAuthFinder(() => hash.use('scrypt'), {
  uids: ['username'],
  passwordColumnName: 'password',
})

/** A person who logs in. Roles live in user_roles; preload `roleRows` before calling hasRole. */
export default class User extends compose(BaseModel, AuthFinder) {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare username: string

  @column()
  declare fullName: string

  @column()
  declare email: string | null

  @column()
  declare phone: string | null

  @column()
  declare unitId: number | null

  @column({ serializeAs: null })
  declare password: string

  @column({ consume: (v) => Boolean(v) })
  declare isActive: boolean

  @column()
  declare failedLoginCount: number

  @column.dateTime()
  declare lockedUntil: DateTime | null

  @column({ consume: (v) => Boolean(v) })
  declare mustChangePassword: boolean

  @column.dateTime()
  declare passwordChangedAt: DateTime | null

  @column.dateTime()
  declare lastLoginAt: DateTime | null

  /** TOTP secret, encrypted with APP_KEY (see services/second_factor.ts). */
  @column({ serializeAs: null })
  declare totpSecret: string | null

  /** A secret being enrolled, not yet confirmed with a code. */
  @column({ serializeAs: null })
  declare totpPendingSecret: string | null

  @column.dateTime()
  declare totpEnabledAt: DateTime | null

  /** Last accepted TOTP time step: a code is accepted once. */
  @column({ serializeAs: null, consume: (v) => (v === null ? null : Number(v)) })
  declare totpLastStep: number | null

  /** Bumped by an administrator's unlock: earlier login-throttle counters no longer apply. */
  @column()
  declare loginEpoch: number

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Unit)
  declare unit: BelongsTo<typeof Unit>

  @hasMany(() => UserRole)
  declare roleRows: HasMany<typeof UserRole>

  /** Usernames are case-insensitively unique: stored lower-cased. */
  @beforeSave()
  static normaliseUsername(user: User) {
    if (user.$dirty.username) user.username = normaliseUsername(user.username)
  }

  get hasSecondFactor() {
    return Boolean(this.totpEnabledAt && this.totpSecret)
  }

  get roles(): Role[] {
    return (this.roleRows ?? []).map((row) => row.role)
  }

  hasRole(...roles: Role[]) {
    const mine = this.roles
    return roles.some((role) => mine.includes(role))
  }

  isLocked(now = DateTime.utc()) {
    return this.lockedUntil !== null && this.lockedUntil > now
  }
}
