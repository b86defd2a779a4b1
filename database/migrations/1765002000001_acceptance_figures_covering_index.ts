import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The year's acceptance figures (工作台, 年度统计, GET /api/v1/stats/review) sum the settlement
 * of the passed requests decided within the year: with settled_fen in the index they are read
 * from the index alone, not from a table row per request. It replaces (decided_at, status),
 * its prefix, which the monthly trend of acceptances also reads.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('acceptance_requests', (table) => {
      table.index(
        ['decided_at', 'status', 'settled_fen'],
        'acceptance_requests_decided_status_settled_index'
      )
    })
    this.schema.alterTable('acceptance_requests', (table) => {
      table.dropIndex(['decided_at', 'status'], 'acceptance_requests_decided_status_index')
    })
  }

  async down() {
    this.schema.alterTable('acceptance_requests', (table) => {
      table.index(['decided_at', 'status'], 'acceptance_requests_decided_status_index')
    })
    this.schema.alterTable('acceptance_requests', (table) => {
      table.dropIndex(
        ['decided_at', 'status', 'settled_fen'],
        'acceptance_requests_decided_status_settled_index'
      )
    })
  }
}
