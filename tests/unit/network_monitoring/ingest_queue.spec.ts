import { test } from '@japa/runner'
import { IngestQueue } from '#network_monitoring/api/ingest_queue'

test.group('Push API | ingest queue', () => {
  test('batches are stored one after another, a failure does not stop the next', async ({
    assert,
  }) => {
    const queue = new IngestQueue(8)
    const log: string[] = []
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const first = queue.run(async () => {
      log.push('first start')
      await gate
      log.push('first end')
      throw new Error('store failed')
    })!
    const second = queue.run(async () => {
      log.push('second')
      return 2
    })!
    await Promise.resolve()
    assert.deepEqual(log, ['first start'])
    release()
    await assert.rejects(() => first, 'store failed')
    assert.equal(await second, 2)
    assert.deepEqual(log, ['first start', 'first end', 'second'])
    assert.equal(queue.waiting, 0)
  })

  test('beyond the bound nothing is queued and the caller is told so', async ({ assert }) => {
    const queue = new IngestQueue(1)
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const running = queue.run(() => gate)
    assert.isNull(queue.run(async () => 'never'))
    release()
    await running
    assert.isNotNull(queue.run(async () => 'now'))
  })
})
