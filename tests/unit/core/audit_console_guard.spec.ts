import { test } from '@japa/runner'
import { auditTablesAtRisk } from '#core/audit/console_guard'

/** A stand-in for db.from('adonis_schema'): the migrations applied, newest first. */
function schema(rows: Array<{ name: string; batch: number }>) {
  const newestFirst = [...rows].reverse()
  return {
    from: () => ({ select: () => ({ orderBy: async () => newestFirst }) }),
  } as any
}

const applied = [
  { name: 'database/migrations/1763800000004_create_audit_events_table', batch: 1 },
  { name: 'database/migrations/1763800100001_create_review_settings_tables', batch: 1 },
  { name: 'database/migrations/1764900500001_seal_audit_chain', batch: 2 },
  { name: 'database/migrations/1764900900001_add_something', batch: 3 },
]

test.group('Production guard of the audit tables', () => {
  test('truncate, wipe, fresh, refresh and reset always touch the audit tables', async ({
    assert,
  }) => {
    for (const command of ['db:truncate', 'db:wipe', 'migration:fresh', 'migration:reset']) {
      assert.include(await auditTablesAtRisk(schema(applied), command, {}), 'audit_events')
    }
  })

  test('a rollback is refused only when it reverts an audit migration', async ({ assert }) => {
    assert.deepEqual(await auditTablesAtRisk(schema(applied), 'migration:rollback', {}), [])
    assert.deepEqual(
      await auditTablesAtRisk(schema(applied), 'migration:rollback', { step: 1 }),
      []
    )
    assert.include(
      await auditTablesAtRisk(schema(applied), 'migration:rollback', { step: 2 }),
      'audit_events'
    )
    assert.include(
      await auditTablesAtRisk(schema(applied), 'migration:rollback', { batch: 1 }),
      'audit_events'
    )
    assert.include(
      await auditTablesAtRisk(schema(applied), 'migration:rollback', { batch: 0 }),
      'audit_events'
    )
  })
})
