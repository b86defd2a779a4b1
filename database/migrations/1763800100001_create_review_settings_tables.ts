import { DateTime } from 'luxon'
import { BaseSchema } from '@adonisjs/lucid/schema'

/** Project-review settings (key → JSON text) and the catalog of shared platforms (共享平台). */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('review_settings', (table) => {
      table.string('key', 64).primary()
      table.text('value').notNullable()
      table.timestamp('updated_at').notNullable()
    })

    this.schema.createTable('shared_platforms', (table) => {
      table.increments('id')
      table.string('name', 100).notNullable().unique()
      table.boolean('is_active').notNullable().defaultTo(true)
      table.integer('position').notNullable().defaultTo(0)
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
    })

    this.defer(async (db) => {
      const now = DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss')
      const names = [
        '政务云',
        '数据共享交换平台',
        '地理信息时空云平台',
        '视频资源交换平台',
        '网格化综合管理平台',
        '统一身份认证平台',
        '电子政务外网',
      ]
      await db.table('shared_platforms').multiInsert(
        names.map((name, position) => ({
          name,
          position,
          is_active: true,
          created_at: now,
          updated_at: now,
        }))
      )
    })
  }

  async down() {
    this.schema.dropTable('shared_platforms')
    this.schema.dropTable('review_settings')
  }
}
