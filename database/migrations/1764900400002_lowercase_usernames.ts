import { BaseSchema } from '@adonisjs/lucid/schema'
import { lowerCaseRenames } from '#identity/usernames'

/**
 * Usernames are case-insensitively unique: they are stored lower-cased and
 * the existing unique index then covers every spelling (SQLite compares
 * bytes, so `Admin` and `admin` could both exist). Accounts that would
 * collide keep their id in the name (`admin_17`) so nothing is lost.
 */
export default class extends BaseSchema {
  async up() {
    this.defer(async (db) => {
      const rows: Array<{ id: number; username: string }> = await db
        .from('users')
        .select('id', 'username')
      for (const rename of lowerCaseRenames(rows)) {
        await db.from('users').where('id', rename.id).update({ username: rename.to })
      }
    })
  }

  async down() {}
}
