import { BaseSchema } from '@adonisjs/lucid/schema'

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
        .orderBy('id')
      // Names already in lower case keep their spelling; the others are renamed after them.
      const seen = new Set(
        rows.filter((r) => r.username === r.username.toLowerCase()).map((r) => r.username)
      )
      for (const row of rows) {
        const lower = row.username.toLowerCase()
        if (lower === row.username) continue
        let target = lower
        for (let n = 0; seen.has(target); n++) {
          const suffix = `_${row.id}${n ? `_${n}` : ''}`
          target = lower.slice(0, 50 - suffix.length) + suffix
        }
        seen.add(target)
        await db.from('users').where('id', row.id).update({ username: target })
      }
    })
  }

  async down() {}
}
