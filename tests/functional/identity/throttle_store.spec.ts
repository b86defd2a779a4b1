import { test } from '@japa/runner'
import limiter from '@adonisjs/limiter/services/main'

test.group('Login throttle counters in the production (database) store', () => {
  test('25 concurrent failures against a limit of 5: exactly 5 are let through', async ({
    assert,
  }) => {
    const store = limiter.use('database', { requests: 5, duration: '15 mins' })
    const key = `login_ui:0:concurrency-${Date.now()}:10.0.0.1`
    const results = await Promise.allSettled(Array.from({ length: 25 }, () => store.consume(key)))
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 5)
    await store.delete(key)
  })
})
