import { test } from '@japa/runner'
import PollScheduler from '#network_monitoring/snmp/poll_scheduler'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test.group('poll scheduler', () => {
  test('a cycle started while another runs is skipped, the next one runs', async ({ assert }) => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const scheduler = new PollScheduler<number, { ok: boolean }>({
      concurrency: 2,
      poll: async () => {
        await gate
        return { ok: true }
      },
    })
    const first = scheduler.runCycle([1, 2, 3])
    assert.isTrue(scheduler.isRunning)
    assert.deepEqual(await scheduler.runCycle([4]), { skipped: true })
    release()
    const report = await first
    assert.isFalse(report.skipped)
    assert.isFalse(scheduler.isRunning)
    const again = await scheduler.runCycle([5])
    assert.isFalse(again.skipped)
    if (!again.skipped)
      assert.deepEqual(
        again.outcomes.map((o) => o.device),
        [5]
      )
  })

  test('never polls more devices at once than the concurrency, and uses all of it', async ({
    assert,
  }) => {
    let active = 0
    let peak = 0
    const scheduler = new PollScheduler<number, { ok: boolean }>({
      concurrency: 4,
      poll: async (device) => {
        active++
        peak = Math.max(peak, active)
        await sleep(5 + (device % 3) * 5)
        active--
        return { ok: true }
      },
    })
    const report = await scheduler.runCycle(Array.from({ length: 30 }, (_, i) => i))
    assert.equal(peak, 4)
    assert.isFalse(report.skipped)
    if (report.skipped) return
    assert.equal(report.total, 30)
    assert.equal(report.ok, 30)
    assert.deepEqual(
      report.outcomes.map((o) => o.device),
      Array.from({ length: 30 }, (_, i) => i)
    )
  })

  test('a device that never answers is cut at its deadline and does not hold up the rest', async ({
    assert,
  }) => {
    const aborted: number[] = []
    const scheduler = new PollScheduler<number, { ok: boolean }>({
      concurrency: 2,
      deviceTimeoutMs: 100,
      poll: (device, signal) => {
        if (device !== 0) return sleep(5).then(() => ({ ok: true }))
        signal.addEventListener('abort', () => aborted.push(device))
        return new Promise(() => {})
      },
    })
    const started = performance.now()
    const report = await scheduler.runCycle(Array.from({ length: 20 }, (_, i) => i))
    const elapsed = performance.now() - started
    assert.isFalse(report.skipped)
    if (report.skipped) return
    assert.isBelow(elapsed, 400)
    assert.deepEqual(aborted, [0])
    const dead = report.outcomes[0]
    assert.isFalse(dead.ok)
    assert.equal(dead.error?.code, 'E_POLL_DEADLINE')
    assert.isAtLeast(dead.durationMs, 95)
    assert.equal(report.ok, 19)
    // The other worker carried the remaining 19 devices meanwhile.
    assert.isTrue(report.outcomes.slice(1).every((o) => o.ok && o.durationMs < 90))
  })

  test('failures are per device: thrown errors and failed results are both recorded', async ({
    assert,
  }) => {
    const seen: number[] = []
    const scheduler = new PollScheduler<
      number,
      { ok: boolean; error?: { code: string; message: string } }
    >({
      concurrency: 3,
      poll: async (device) => {
        if (device === 1) throw Object.assign(new Error('socket gone'), { code: 'E_SNMP_SEND' })
        if (device === 2)
          return { ok: false, error: { code: 'E_SNMP_TIMEOUT', message: 'no reply' } }
        return { ok: true }
      },
      onOutcome: (outcome) => {
        seen.push(outcome.device)
        if (outcome.device === 0) throw new Error('consumer failure is contained')
      },
    })
    const report = await scheduler.runCycle([0, 1, 2, 3])
    assert.isFalse(report.skipped)
    if (report.skipped) return
    assert.deepEqual(
      report.outcomes.map((o) => [o.device, o.ok, o.error?.code ?? null]),
      [
        [0, true, null],
        [1, false, 'E_SNMP_SEND'],
        [2, false, 'E_SNMP_TIMEOUT'],
        [3, true, null],
      ]
    )
    assert.equal(report.failed, 2)
    assert.sameMembers(seen, [0, 1, 2, 3])
  })

  test('an empty cycle completes at once and concurrency must be a positive integer', async ({
    assert,
  }) => {
    const scheduler = new PollScheduler<number, { ok: boolean }>({
      concurrency: 8,
      poll: async () => ({ ok: true }),
    })
    const report = await scheduler.runCycle([])
    assert.isFalse(report.skipped)
    if (!report.skipped) assert.equal(report.total, 0)
    assert.throws(
      () => new PollScheduler({ concurrency: 0, poll: async () => ({}) }),
      /positive integer/
    )
  })
})
