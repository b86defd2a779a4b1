import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

/** 建设里程碑: 合同签订, 上线, 试运行 (one date each). */
export const MILESTONE_KINDS = ['contract_signed', 'online', 'trial_run'] as const
export type MilestoneKind = (typeof MILESTONE_KINDS)[number]

/** A construction milestone with the date it happened. */
export default class ProjectMilestone extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare projectId: number

  @column()
  declare kind: MilestoneKind

  @column.date()
  declare happenedOn: DateTime

  @column()
  declare note: string | null

  @column()
  declare recordedById: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime
}
