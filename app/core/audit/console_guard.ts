import type { Database } from '@adonisjs/lucid/database'

/** Built-in commands that empty or drop tables. */
export const AUDIT_PROTECTED_COMMANDS = new Set([
  'db:truncate',
  'db:wipe',
  'migration:fresh',
  'migration:refresh',
  'migration:reset',
  'migration:rollback',
])

/** Commands that change nothing (or audit themselves): not recorded as "ace.command". */
export const READ_ONLY_COMMANDS = new Set([
  'audit:verify',
  'audit:checkpoint',
  'audit:purge',
  'backup:create',
  'backup:restore',
  'list:routes',
  'repl',
  'test',
  'serve',
  'snmp:simulate',
  'review:replay-draw',
  'migration:status',
])

const AUDIT_TABLES = ['audit_events', 'audit_chain_heads', 'audit_forward_state']

/** Migration files that create or alter the audit tables. */
export function isAuditMigration(name: string) {
  return /audit/.test(name)
}

/**
 * The audit tables the command would empty or drop: all of them for truncate,
 * wipe, fresh, refresh and reset; for a rollback, only when the batch (or
 * --step) being reverted contains an audit-table migration.
 */
export async function auditTablesAtRisk(
  db: Database,
  command: string,
  flags: { batch?: number; step?: number }
): Promise<string[]> {
  if (command !== 'migration:rollback') return AUDIT_TABLES
  const rows: Array<{ name: string; batch: number }> = await db
    .from('adonis_schema')
    .select('name', 'batch')
    .orderBy('id', 'desc')
  if (rows.length === 0) return []
  let selected: typeof rows
  if (flags.step !== undefined && flags.step > 0) {
    selected = rows.slice(0, flags.step)
  } else {
    const latest = Math.max(...rows.map((r) => Number(r.batch)))
    const target = flags.batch ?? latest - 1
    selected = rows.filter((r) => Number(r.batch) > target)
  }
  return selected.some((r) => isAuditMigration(r.name)) ? AUDIT_TABLES : []
}
