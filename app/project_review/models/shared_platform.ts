import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { bool, integer } from '#project_review/models/json_column'

/** An entry of the shared-platform catalog (政务云, 数据共享交换平台 …) a proposal may reuse. */
export default class SharedPlatform extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare name: string

  @column(bool)
  declare isActive: boolean

  @column(integer)
  declare position: number

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
