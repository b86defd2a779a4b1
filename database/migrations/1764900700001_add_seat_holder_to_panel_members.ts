import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Seats remember the login that holds them, so that one person can never hold two seats on one
 * panel (unique panel_id + user_id; experts without a login stay NULL, which never collides), and
 * a reviewer can withdraw (撤换) a silent expert with a recorded reason.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('panel_members', (table) => {
      table.integer('user_id').unsigned().nullable()
      table.string('withdraw_reason', 500).nullable()
      table.timestamp('withdrawn_at').nullable()
    })

    this.defer(async (db) => {
      await db.rawQuery(
        'UPDATE panel_members SET user_id = (SELECT experts.user_id FROM experts WHERE experts.id = panel_members.expert_id)'
      )
      // A login already holding two seats of one panel keeps its first seat's link only.
      const twice: { panel_id: number; user_id: number }[] = await db
        .from('panel_members')
        .whereNotNull('user_id')
        .groupBy('panel_id', 'user_id')
        .havingRaw('COUNT(*) > 1')
        .select('panel_id', 'user_id')
      for (const row of twice) {
        const seats = await db
          .from('panel_members')
          .where('panel_id', row.panel_id)
          .where('user_id', row.user_id)
          .orderBy('id')
          .select('id')
        await db
          .from('panel_members')
          .whereIn(
            'id',
            seats.slice(1).map((seat: { id: number }) => seat.id)
          )
          .update({ user_id: null })
      }
    })

    this.schema.alterTable('panel_members', (table) => {
      table.unique(['panel_id', 'user_id'], { indexName: 'panel_members_panel_user_unique' })
    })
  }

  async down() {
    this.schema.alterTable('panel_members', (table) => {
      table.dropUnique(['panel_id', 'user_id'], 'panel_members_panel_user_unique')
    })
    this.schema.alterTable('panel_members', (table) => {
      table.dropColumn('withdrawn_at')
      table.dropColumn('withdraw_reason')
      table.dropColumn('user_id')
    })
  }
}
