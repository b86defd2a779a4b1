import { test } from '@japa/runner'
import { isRetryableLockError, retryOnDeadlock } from '#core/db_writers'

/** What mysql2 throws when InnoDB picks the transaction as a deadlock victim. */
function deadlock() {
  return Object.assign(new Error('Deadlock found when trying to get lock'), {
    code: 'ER_LOCK_DEADLOCK',
    errno: 1213,
  })
}

test.group('retryOnDeadlock', () => {
  test('a deadlock victim is run again and its result returned', async ({ assert }) => {
    let runs = 0
    const pauses: number[] = []
    const result = await retryOnDeadlock(
      async () => {
        runs++
        if (runs < 3) throw deadlock()
        return 'committed'
      },
      { pause: async (ms) => pauses.push(ms) }
    )
    assert.equal(result, 'committed')
    assert.equal(runs, 3)
    assert.lengthOf(pauses, 2)
  })

  test('retries are bounded: the last deadlock is thrown', async ({ assert }) => {
    let runs = 0
    await assert.rejects(
      () =>
        retryOnDeadlock(
          async () => {
            runs++
            throw deadlock()
          },
          { retries: 3, pause: async () => {} }
        ),
      /Deadlock found/
    )
    assert.equal(runs, 4)
  })

  test('other errors are thrown at once, never retried', async ({ assert }) => {
    let runs = 0
    await assert.rejects(
      () =>
        retryOnDeadlock(
          async () => {
            runs++
            throw Object.assign(new Error('Duplicate entry'), { code: 'ER_DUP_ENTRY', errno: 1062 })
          },
          { pause: async () => {} }
        ),
      /Duplicate entry/
    )
    assert.equal(runs, 1)
  })

  test('lock wait timeouts count as retryable, by code or by errno', ({ assert }) => {
    assert.isTrue(isRetryableLockError({ code: 'ER_LOCK_WAIT_TIMEOUT' }))
    assert.isTrue(isRetryableLockError({ errno: 1213 }))
    assert.isFalse(isRetryableLockError({ code: 'SQLITE_BUSY' }))
    assert.isFalse(isRetryableLockError(null))
  })
})
