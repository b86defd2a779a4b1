import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import Device from '#network_monitoring/models/device'
import { numberColumn } from '#network_monitoring/models/columns'

/** 县 → 乡镇 → 村: a site's parent is always exactly one level up. */
export const SITE_LEVELS = ['county', 'town', 'village'] as const
export type SiteLevel = (typeof SITE_LEVELS)[number]

/** The level a parent of the given level must have (null: a root). */
export const PARENT_LEVEL: Record<SiteLevel, SiteLevel | null> = {
  county: null,
  town: 'county',
  village: 'town',
}

/** A place on the extranet: the county centre, a town (乡镇) or a village (行政村). */
export default class Site extends BaseModel {
  static table = 'network_sites'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare name: string

  @column()
  declare level: SiteLevel

  @column(numberColumn)
  declare parentId: number | null

  @column(numberColumn)
  declare sortOrder: number

  @belongsTo(() => Site, { foreignKey: 'parentId' })
  declare parent: BelongsTo<typeof Site>

  @hasMany(() => Site, { foreignKey: 'parentId' })
  declare children: HasMany<typeof Site>

  @hasMany(() => Device)
  declare devices: HasMany<typeof Device>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
