import { BaseModel, column } from '@adonisjs/lucid/orm'
import type { Role } from '#identity/roles'

/** One role held by one user. */
export default class UserRole extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare userId: number

  @column()
  declare role: Role
}
