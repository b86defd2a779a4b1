import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The reviewers' workbench filters projects by year, unit, category and state (any
 * combination) and searches titles and codes. Both databases append the primary key to every
 * secondary index, so each index below answers its combination (and the draft scope on
 * `state`) from the index alone: counts and page ids never read a project row, whose texts are
 * large. The search index is a narrow copy of title and code, scanned instead of the table;
 * the category index lets the statistics of one category sum without reading rows.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('projects', (table) => {
      table.index(['year', 'category', 'state'], 'projects_year_category_state_index')
      table.index(['unit_id', 'year', 'state'], 'projects_unit_year_state_index')
      table.index(['state', 'title', 'code'], 'projects_search_index')
      table.index(
        ['category', 'state', 'requested_fen', 'approved_fen'],
        'projects_category_stats_index'
      )
    })
  }

  async down() {
    this.schema.alterTable('projects', (table) => {
      table.dropIndex(['year', 'category', 'state'], 'projects_year_category_state_index')
      table.dropIndex(['unit_id', 'year', 'state'], 'projects_unit_year_state_index')
      table.dropIndex(['state', 'title', 'code'], 'projects_search_index')
      table.dropIndex(
        ['category', 'state', 'requested_fen', 'approved_fen'],
        'projects_category_stats_index'
      )
    })
  }
}
