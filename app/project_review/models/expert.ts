import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import User from '#identity/models/user'
import Unit from '#identity/models/unit'
import { bool, integer, jsonText } from '#project_review/models/json_column'

export const SPECIALTIES = [
  'security',
  'software',
  'hardware',
  'data',
  'video_iot',
  'finance',
] as const
export type Specialty = (typeof SPECIALTIES)[number]

/** A member of the expert pool (专家库); `userId` links the account the expert logs in with. */
export default class Expert extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare userId: number | null

  @column()
  declare name: string

  @column()
  declare employer: string

  @column()
  declare employerUnitId: number | null

  @column(jsonText<Specialty[]>([]))
  declare specialties: Specialty[]

  /** Units the expert declared a conflict of interest with (自行申报的回避单位). */
  @column(jsonText<number[]>([]))
  declare conflictUnitIds: number[]

  @column()
  declare phone: string | null

  @column()
  declare email: string | null

  @column(bool)
  declare isActive: boolean

  @column(integer)
  declare yearlyCap: number

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => User)
  declare user: BelongsTo<typeof User>

  @belongsTo(() => Unit, { foreignKey: 'employerUnitId' })
  declare employerUnit: BelongsTo<typeof Unit>
}
