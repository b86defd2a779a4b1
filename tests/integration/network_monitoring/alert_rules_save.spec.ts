import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import alertRules from '#network_monitoring/alerts/rules/alert_rules_service'
import { loadRulesConfig } from '#network_monitoring/alerts/rules/db_rule_backend'

const ACTOR = { actorId: null, actorName: 'test', ip: null }

/** Settles with 'timeout' when `work` is not done within `ms`. */
function within<T>(work: Promise<T>, ms: number) {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms)
  })
  return Promise.race([work.then(() => 'done' as const), timeout]).finally(() =>
    clearTimeout(timer)
  )
}

/**
 * Outside the global test transaction, as on the real server: a rule saved from 告警规则 must
 * commit. It used to read the settings on a second connection inside its transaction, which on
 * SQLite waited for itself forever and froze every request and the poller.
 */
test.group('Alert rules | saving on the real connection', (group) => {
  let restore: Awaited<ReturnType<typeof loadRulesConfig>>['unreachable'] | undefined
  group.setup(async () => {
    const config = await loadRulesConfig()
    restore = config.unreachable
  })
  group.teardown(async () => {
    if (restore) await alertRules.updateRule('unreachable', restore, ACTOR)
    else await db.from('alert_rule_settings').where('rule', 'unreachable').delete()
  })

  test('saving a rule commits within a few seconds', async ({ assert }) => {
    const failures = restore?.values.failures === 4 ? 5 : 4
    const outcome = await within(
      alertRules.updateRule('unreachable', { enabled: true, values: { failures } }, ACTOR),
      5_000
    )
    assert.equal(outcome, 'done')
    const saved = await loadRulesConfig()
    assert.equal(saved.unreachable.values.failures, failures)
  }).timeout(20_000)
})
