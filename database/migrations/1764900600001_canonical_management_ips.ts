import { BaseSchema } from '@adonisjs/lucid/schema'
import { canonicalIp } from '#core/ip_address'

/**
 * Management addresses are compared in canonical form (`::ffff:127.0.0.1` is `127.0.0.1`,
 * `0:0:0:0:0:0:0:1` is `::1`). Rewrites stored addresses to that form; a row whose canonical
 * address is already taken on the same port keeps its spelling so that no device is lost.
 */
export default class extends BaseSchema {
  async up() {
    this.defer(async (db) => {
      const rows: { id: number; management_ip: string; snmp_port: number }[] = await db
        .from('network_devices')
        .select('id', 'management_ip', 'snmp_port')
      const taken = new Set(rows.map((row) => `${row.management_ip}|${row.snmp_port}`))
      for (const row of rows) {
        const canonical = canonicalIp(row.management_ip)
        const key = `${canonical}|${row.snmp_port}`
        if (canonical === row.management_ip || taken.has(key)) continue
        await db.from('network_devices').where('id', row.id).update({ management_ip: canonical })
        taken.delete(`${row.management_ip}|${row.snmp_port}`)
        taken.add(key)
      }
    })
  }

  async down() {}
}
