import { DateTime } from 'luxon'
import { BaseModel, column, hasMany } from '@adonisjs/lucid/orm'
import type { HasMany } from '@adonisjs/lucid/types/relations'
import User from '#identity/models/user'

export const UNIT_KINDS = ['bureau', 'department', 'town'] as const
export type UnitKind = (typeof UNIT_KINDS)[number]

/** An organisation unit (单位): the bureau itself, a county department, or a town. */
export default class Unit extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare code: string

  @column()
  declare name: string

  @column()
  declare kind: UnitKind

  @column({ consume: (v) => Boolean(v) })
  declare isActive: boolean

  @hasMany(() => User)
  declare users: HasMany<typeof User>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
