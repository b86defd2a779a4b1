import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Proposals (项目申报书) and what hangs off them: budget line items (money in integer fen),
 * reused shared platforms, PDF attachments, the lifecycle timeline and duplicate checks.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('projects', (table) => {
      table.increments('id')
      table.string('code', 32).nullable().unique()
      table.integer('unit_id').unsigned().notNullable().references('id').inTable('units')
      table.integer('created_by_id').unsigned().nullable().references('id').inTable('users')
      table.integer('year').notNullable()
      table.string('title', 200).notNullable()
      table.string('category', 16).notNullable().defaultTo('new')
      table.text('content').nullable()
      table.text('necessity').nullable()
      table.text('technical_plan').nullable()
      table.integer('security_level').nullable()
      table.date('planned_start').nullable()
      table.date('planned_end').nullable()
      table.string('contact_name', 50).nullable()
      table.string('contact_phone', 30).nullable()
      table.string('state', 24).notNullable().defaultTo('draft')
      table.integer('return_count').notNullable().defaultTo(0)
      table.bigInteger('requested_fen').notNullable().defaultTo(0)
      table.bigInteger('approved_fen').nullable()
      table.boolean('similarity_flagged').notNullable().defaultTo(false)
      table.integer('final_score_hundredths').nullable()
      table.string('conclusion', 8).nullable()
      table.text('decision_comment').nullable()
      table.timestamp('submitted_at').nullable()
      table.timestamp('decided_at').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['state'])
      table.index(['unit_id', 'state'])
      table.index(['year', 'state'])
    })

    this.schema.createTable('project_platforms', (table) => {
      table
        .integer('project_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('projects')
        .onDelete('CASCADE')
      table
        .integer('shared_platform_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('shared_platforms')
      table.primary(['project_id', 'shared_platform_id'])
    })

    this.schema.createTable('budget_items', (table) => {
      table.increments('id')
      table
        .integer('project_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('projects')
        .onDelete('CASCADE')
      table.integer('position').notNullable()
      table.string('category', 16).notNullable()
      table.string('name', 100).notNullable()
      table.string('specification', 500).nullable()
      table.integer('quantity').notNullable()
      table.bigInteger('unit_price_fen').notNullable()
      table.bigInteger('amount_fen').notNullable()
      table.bigInteger('recommended_fen').nullable()
      table.bigInteger('approved_fen').nullable()
      table.string('approval_reason', 500).nullable()
      table.index(['project_id', 'position'])
    })

    this.schema.createTable('project_attachments', (table) => {
      table.increments('id')
      table
        .integer('project_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('projects')
        .onDelete('CASCADE')
      table.string('kind', 16).notNullable()
      table.string('original_name', 200).notNullable()
      table.string('stored_name', 64).notNullable().unique()
      table.integer('size_bytes').notNullable()
      table.string('sha256', 64).notNullable()
      table.integer('uploaded_by_id').unsigned().nullable().references('id').inTable('users')
      table.timestamp('created_at').notNullable()
      table.index(['project_id'])
    })

    this.schema.createTable('project_transitions', (table) => {
      table.increments('id')
      table
        .integer('project_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('projects')
        .onDelete('CASCADE')
      table.string('action', 24).notNullable()
      table.string('from_state', 24).notNullable()
      table.string('to_state', 24).notNullable()
      table.integer('actor_id').unsigned().nullable().references('id').inTable('users')
      table.string('actor_name', 100).nullable()
      table.text('comment').nullable()
      table.text('reasons').nullable()
      table.timestamp('created_at').notNullable()
      table.index(['project_id', 'id'])
    })

    this.schema.createTable('similarity_checks', (table) => {
      table.increments('id')
      table
        .integer('project_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('projects')
        .onDelete('CASCADE')
      table.integer('corpus_size').notNullable()
      table.integer('threshold_bp').notNullable()
      table.boolean('flagged').notNullable()
      table.text('matches').notNullable()
      table.timestamp('created_at').notNullable()
      table.index(['project_id', 'id'])
    })
  }

  async down() {
    this.schema.dropTable('similarity_checks')
    this.schema.dropTable('project_transitions')
    this.schema.dropTable('project_attachments')
    this.schema.dropTable('budget_items')
    this.schema.dropTable('project_platforms')
    this.schema.dropTable('projects')
  }
}
