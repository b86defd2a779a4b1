import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The alert dashboard's 30-day figures (events per day and category, MTTA/MTTR) read only a
 * covering index: a range on first_seen_at, never the table rows (1,000,000 alerts stay fast).
 * The 告警中心's search by IP address reads the source/destination address indexes.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('alerts', (table) => {
      table.index(
        ['first_seen_at', 'state', 'category_group', 'acknowledged_at', 'resolved_at'],
        'alerts_dashboard_index'
      )
      table.index(['src_ip'], 'alerts_src_ip_index')
      table.index(['dst_ip'], 'alerts_dst_ip_index')
    })
  }

  async down() {
    this.schema.alterTable('alerts', (table) => {
      table.dropIndex(['dst_ip'], 'alerts_dst_ip_index')
      table.dropIndex(['src_ip'], 'alerts_src_ip_index')
      table.dropIndex(
        ['first_seen_at', 'state', 'category_group', 'acknowledged_at', 'resolved_at'],
        'alerts_dashboard_index'
      )
    })
  }
}
