import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Expert panels with everything needed to replay the draw (input snapshot, seed, result), the
 * seats (members and alternates), score sheets with their scores (JSON text) and per-line
 * recommendations in integer fen.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('review_panels', (table) => {
      table.increments('id')
      table
        .integer('project_id')
        .unsigned()
        .notNullable()
        .unique()
        .references('id')
        .inTable('projects')
        .onDelete('CASCADE')
      table.integer('year').notNullable()
      table.string('algorithm', 64).notNullable()
      table.string('seed', 128).notNullable()
      table.integer('panel_size').notNullable()
      table.integer('alternates_count').notNullable()
      table.text('specialties').notNullable()
      table.text('draw_project').notNullable()
      table.text('candidates').notNullable()
      table.text('result').notNullable()
      table.text('criteria').notNullable()
      table.string('status', 16).notNullable().defaultTo('open')
      table.integer('final_score_hundredths').nullable()
      table.string('conclusion', 8).nullable()
      table.text('aggregation').nullable()
      table.integer('drawn_by_id').unsigned().nullable().references('id').inTable('users')
      table.timestamp('drawn_at').notNullable()
      table.timestamp('closed_at').nullable()
    })

    this.schema.createTable('panel_members', (table) => {
      table.increments('id')
      table
        .integer('panel_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('review_panels')
        .onDelete('CASCADE')
      table.integer('expert_id').unsigned().notNullable().references('id').inTable('experts')
      table.integer('draw_order').notNullable()
      table.string('seat', 16).notNullable()
      table.string('status', 16).notNullable()
      table.string('decline_reason', 500).nullable()
      table.timestamp('invited_at').nullable()
      table.timestamp('declined_at').nullable()
      table.timestamp('no_conflict_declared_at').nullable()
      table.timestamp('notified_at').nullable()
      table.string('notify_error', 255).nullable()
      table.unique(['panel_id', 'expert_id'])
      table.index(['expert_id', 'status'])
    })

    this.schema.createTable('score_sheets', (table) => {
      table.increments('id')
      table
        .integer('panel_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('review_panels')
        .onDelete('CASCADE')
      table.integer('expert_id').unsigned().notNullable().references('id').inTable('experts')
      table.string('status', 16).notNullable().defaultTo('draft')
      table.text('scores').notNullable()
      table.integer('total_hundredths').nullable()
      table.text('opinion').nullable()
      table.string('return_reason', 500).nullable()
      table.integer('version').notNullable().defaultTo(0)
      table.timestamp('submitted_at').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.unique(['panel_id', 'expert_id'])
    })

    this.schema.createTable('sheet_items', (table) => {
      table.increments('id')
      table
        .integer('score_sheet_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('score_sheets')
        .onDelete('CASCADE')
      table
        .integer('budget_item_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('budget_items')
        .onDelete('CASCADE')
      table.integer('quantity').notNullable()
      table.bigInteger('unit_price_fen').notNullable()
      table.bigInteger('amount_fen').notNullable()
      table.string('cut_reason', 16).nullable()
      table.string('note', 500).nullable()
      table.unique(['score_sheet_id', 'budget_item_id'])
    })
  }

  async down() {
    this.schema.dropTable('sheet_items')
    this.schema.dropTable('score_sheets')
    this.schema.dropTable('panel_members')
    this.schema.dropTable('review_panels')
  }
}
