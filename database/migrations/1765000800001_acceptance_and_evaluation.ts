import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * After 批复: panels get a purpose (review | acceptance; one of each per project), the form
 * template they were drawn with; budget lines keep the applicant's revision (修改后通过);
 * milestones, acceptance requests with their settlement (决算) per line, the acceptance panel's
 * checklists, and the performance evaluation. Projects remember when they passed acceptance
 * (the 12-month evaluation reminder counts from it) and the settled total.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('review_panels', (table) => {
      table.string('purpose', 16).notNullable().defaultTo('review')
      table.text('form').nullable()
      table.integer('acceptance_request_id').unsigned().nullable()
    })
    this.schema.alterTable('review_panels', (table) => {
      table.unique(['project_id', 'purpose'], { indexName: 'review_panels_project_purpose_unique' })
    })
    this.schema.alterTable('review_panels', (table) => {
      table.dropUnique(['project_id'], 'review_panels_project_id_unique')
    })

    this.schema.alterTable('budget_items', (table) => {
      table.integer('revised_quantity').nullable()
      table.bigInteger('revised_unit_price_fen').nullable()
      table.bigInteger('revised_fen').nullable()
    })

    this.schema.alterTable('projects', (table) => {
      table.text('revision_note').nullable()
      table.timestamp('revised_at').nullable()
      table.bigInteger('settled_fen').nullable()
      table.timestamp('completed_at').nullable()
      table.timestamp('evaluation_reminded_at').nullable()
      table.index(['state', 'completed_at'], 'projects_state_completed_index')
    })

    this.schema.createTable('project_milestones', (table) => {
      table.increments('id')
      table
        .integer('project_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('projects')
        .onDelete('CASCADE')
      table.string('kind', 32).notNullable()
      table.date('happened_on').notNullable()
      table.string('note', 500).nullable()
      table.integer('recorded_by_id').unsigned().nullable()
      table.timestamp('created_at').notNullable()
      table.unique(['project_id', 'kind'])
    })

    this.schema.createTable('acceptance_requests', (table) => {
      table.increments('id')
      table
        .integer('project_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('projects')
        .onDelete('CASCADE')
      table.integer('round').notNullable()
      table.string('status', 16).notNullable().defaultTo('submitted')
      table.text('deliverables').notNullable()
      table.string('security_result', 16).notNullable()
      table.string('security_note', 500).nullable()
      table.text('trial_run_summary').notNullable()
      table.bigInteger('settled_fen').notNullable()
      table.text('rectification_items').nullable()
      table.text('conclusion_comment').nullable()
      table.integer('requested_by_id').unsigned().nullable()
      table.integer('decided_by_id').unsigned().nullable()
      table.timestamp('decided_at').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.unique(['project_id', 'round'])
      table.index(['status'])
    })

    this.schema.createTable('settlement_lines', (table) => {
      table.increments('id')
      table
        .integer('acceptance_request_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('acceptance_requests')
        .onDelete('CASCADE')
      table
        .integer('budget_item_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('budget_items')
        .onDelete('CASCADE')
      table.bigInteger('approved_fen').notNullable()
      table.bigInteger('settled_fen').notNullable()
      table.text('justification').nullable()
      table.unique(['acceptance_request_id', 'budget_item_id'])
    })

    this.schema.createTable('acceptance_checks', (table) => {
      table.increments('id')
      table
        .integer('panel_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('review_panels')
        .onDelete('CASCADE')
      table
        .integer('acceptance_request_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('acceptance_requests')
        .onDelete('CASCADE')
      table.integer('expert_id').unsigned().notNullable().references('id').inTable('experts')
      table.string('status', 16).notNullable().defaultTo('draft')
      table.text('results').notNullable()
      table.text('opinion').nullable()
      table.timestamp('submitted_at').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.unique(['acceptance_request_id', 'expert_id'])
    })

    this.schema.createTable('project_evaluations', (table) => {
      table.increments('id')
      table
        .integer('project_id')
        .unsigned()
        .notNullable()
        .unique()
        .references('id')
        .inTable('projects')
        .onDelete('CASCADE')
      table.text('indicators').notNullable()
      table.text('self_evaluation').nullable()
      table.integer('self_by_id').unsigned().nullable()
      table.timestamp('self_submitted_at').nullable()
      table.string('rating', 16).nullable()
      table.text('rating_comment').nullable()
      table.integer('rated_by_id').unsigned().nullable()
      table.timestamp('rated_at').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable('project_evaluations')
    this.schema.dropTable('acceptance_checks')
    this.schema.dropTable('settlement_lines')
    this.schema.dropTable('acceptance_requests')
    this.schema.dropTable('project_milestones')
    this.schema.alterTable('projects', (table) => {
      table.dropIndex(['state', 'completed_at'], 'projects_state_completed_index')
      table.dropColumn('evaluation_reminded_at')
      table.dropColumn('completed_at')
      table.dropColumn('settled_fen')
      table.dropColumn('revised_at')
      table.dropColumn('revision_note')
    })
    this.schema.alterTable('budget_items', (table) => {
      table.dropColumn('revised_fen')
      table.dropColumn('revised_unit_price_fen')
      table.dropColumn('revised_quantity')
    })
    this.schema.alterTable('review_panels', (table) => {
      table.unique(['project_id'], { indexName: 'review_panels_project_id_unique' })
    })
    this.schema.alterTable('review_panels', (table) => {
      table.dropUnique(['project_id', 'purpose'], 'review_panels_project_purpose_unique')
    })
    this.schema.alterTable('review_panels', (table) => {
      table.dropColumn('acceptance_request_id')
      table.dropColumn('form')
      table.dropColumn('purpose')
    })
  }
}
