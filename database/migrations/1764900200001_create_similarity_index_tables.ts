import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The duplicate check's term index: each submitted project's term counts (written when it is
 * submitted, so a check never re-tokenises the corpus), the document frequency of every term,
 * the indexed projects, and the reviewers' 已核实非重复 verdicts on single matches. Terms compare
 * byte for byte (utf8mb4_bin on MySQL/MariaDB: a case- or accent-insensitive collation would
 * merge distinct words). Plus the indexes the reviewers' workbench filters and sums with.
 */
export default class extends BaseSchema {
  async up() {
    const binary = !this.db.dialect.name.includes('sqlite')

    this.schema.createTable('similarity_documents', (table) => {
      table
        .integer('project_id')
        .unsigned()
        .notNullable()
        .primary()
        .references('id')
        .inTable('projects')
        .onDelete('CASCADE')
      table.integer('term_count').notNullable()
      table.timestamp('indexed_at').notNullable()
    })

    this.schema.createTable('project_terms', (table) => {
      table
        .integer('project_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('projects')
        .onDelete('CASCADE')
      const term = table.string('term', 64).notNullable()
      if (binary) term.collate('utf8mb4_bin')
      table.integer('tf').notNullable()
      table.primary(['project_id', 'term'])
      table.index(['term', 'project_id', 'tf'], 'project_terms_term_index')
    })

    this.schema.createTable('similarity_terms', (table) => {
      const term = table.string('term', 64).notNullable().primary()
      if (binary) term.collate('utf8mb4_bin')
      table.integer('df').notNullable()
    })

    this.schema.createTable('similarity_dismissals', (table) => {
      table.increments('id')
      table
        .integer('project_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('projects')
        .onDelete('CASCADE')
      table
        .integer('other_project_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('projects')
        .onDelete('CASCADE')
      table.string('reason', 500).notNullable()
      table.integer('user_id').unsigned().nullable().references('id').inTable('users')
      table.string('user_name', 100).nullable()
      table.timestamp('created_at').notNullable()
      table.unique(['project_id', 'other_project_id'])
    })

    this.schema.alterTable('projects', (table) => {
      table.index(['category', 'state'], 'projects_category_state_index')
      table.index(['similarity_flagged', 'state'], 'projects_flagged_state_index')
      // covers the statistics: SUM over decided projects reads the index, never the rows
      table.index(
        ['state', 'year', 'unit_id', 'category', 'requested_fen', 'approved_fen'],
        'projects_state_filter_index'
      )
    })
  }

  async down() {
    this.schema.alterTable('projects', (table) => {
      table.dropIndex(
        ['state', 'year', 'unit_id', 'category', 'requested_fen', 'approved_fen'],
        'projects_state_filter_index'
      )
      table.dropIndex(['similarity_flagged', 'state'], 'projects_flagged_state_index')
      table.dropIndex(['category', 'state'], 'projects_category_state_index')
    })
    this.schema.dropTable('similarity_dismissals')
    this.schema.dropTable('similarity_terms')
    this.schema.dropTable('project_terms')
    this.schema.dropTable('similarity_documents')
  }
}
