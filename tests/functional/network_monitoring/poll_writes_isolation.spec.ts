import { test } from '@japa/runner'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import PollJob from '#network_monitoring/jobs/poll_job'
import { PollStore } from '#network_monitoring/services/poll_store'
import { PollJournal } from '#network_monitoring/services/poll_journal'
import type { PollRecord } from '#network_monitoring/services/poll_records'
import DeviceState from '#network_monitoring/models/device_state'
import { onPollWritten } from '#network_monitoring/alerts/contract'
import { switchMib, tableAgent } from '#tests/helpers/snmp_wire'
import { createDevice, createSiteTree, recordingLogger } from '#tests/helpers/network'

/**
 * Issue #8 points 4 and 9: results reach the database while the cycle still runs (no
 * end-of-cycle stall), and one device's data the database refuses never costs the others
 * their rows nor stops the next tick from reloading the device list.
 */

const SETTINGS = { snmpTimeoutMs: 2000, snmpRetries: 0, snmpConcurrency: 8 }

function tempJournal() {
  return new PollJournal(join(mkdtempSync(join(tmpdir(), 'gaps-journal-')), 'journal.ndjson'))
}

async function pollRows(deviceId: number) {
  return db.from('device_polls').where('device_id', deviceId).orderBy('ts')
}

/** Waits (by polling, never a fixed sleep) until `condition` holds or `ms` have passed. */
async function until(condition: () => Promise<boolean>, ms: number) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await condition()) return true
    await delay(5)
  }
  return condition()
}

test.group('Poll results: written during the cycle, one device at a time if need be', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('with a write batch of 1, the fast device is stored while the slow one is still being polled', async ({
    assert,
  }) => {
    const fastAgent = await tableAgent(switchMib(2))
    const slowAgent = await tableAgent(switchMib(2), { delayMs: 250 })
    const { town } = await createSiteTree()
    const fast = await createDevice(town, { managementIp: '127.0.0.1', snmpPort: fastAgent.port })
    const slow = await createDevice(town, { managementIp: '127.0.0.1', snmpPort: slowAgent.port })
    const batches: number[][] = []
    const stop = onPollWritten(async (records) => {
      batches.push(records.map((record) => record.deviceId))
    })
    const job = new PollJob({
      settings: { ...SETTINGS, pollWriteBatch: 1 },
      journal: tempJournal(),
    })
    let tickDone = false
    const tick = job.tick({ force: true }).finally(() => (tickDone = true))
    try {
      const fastStored = await until(async () => {
        const rows = await pollRows(fast.id)
        return rows.length > 0
      }, 10_000)
      assert.isTrue(fastStored, 'the fast device has its poll row')
      assert.isFalse(tickDone, 'the row was written before the tick ended')
      assert.lengthOf(await pollRows(slow.id), 0, 'the slow device is still in flight')
      const fastState = await DeviceState.findOrFail(fast.id)
      assert.equal(fastState.status, 'up')

      const report = await tick
      assert.isFalse(report.skipped)
      if (report.skipped) return
      assert.equal(report.ok, 2)
      assert.equal(report.written, 2)
      assert.lengthOf(await pollRows(slow.id), 1)
      // two committed batches, the fast device's first
      assert.deepEqual(batches, [[fast.id], [slow.id]])
    } finally {
      await tick.catch(() => null)
      stop()
      await job.close()
      await fastAgent.close()
      await slowAgent.close()
    }
  }).timeout(30_000)

  test("device A's refused data and device B's good data in one write: B stored, a warning names A, the next tick reloads the devices", async ({
    assert,
  }) => {
    const agentA = await tableAgent(switchMib(2))
    const agentB = await tableAgent(switchMib(2))
    const { town } = await createSiteTree()
    const deviceA = await createDevice(town, { managementIp: '127.0.0.1', snmpPort: agentA.port })
    const deviceB = await createDevice(town, { managementIp: '127.0.0.1', snmpPort: agentB.port })
    const jobLog = recordingLogger()
    const job = new PollJob({ settings: SETTINGS, logger: jobLog, journal: tempJournal() })
    const warnings: Array<{ data: Record<string, unknown>; message: string }> = []
    const originalWarn = logger.warn
    try {
      const first = await job.tick({ force: true })
      assert.isFalse(first.skipped)
      if (first.skipped) return
      assert.equal(first.ok, 2)
      const recordOf = (id: number) => first.records.find((r) => r.deviceId === id)!
      // Device A answered with interface data the database will not take (a port without its
      // ifIndex, a NOT NULL column on both dialects); B's record of the same moment is fine.
      const later = recordOf(deviceA.id).takenAtMs + 60_000
      const recordA = recordOf(deviceA.id)
      const bad: PollRecord = {
        ...recordA,
        takenAtMs: later,
        cpuLoad: 77,
        interfaces: recordA.interfaces.map((row) => ({ ...row, ifIndex: null as never })),
      }
      const good: PollRecord = { ...recordOf(deviceB.id), takenAtMs: later, cpuLoad: 42 }

      ;(logger as { warn: unknown }).warn = function (this: unknown, ...args: unknown[]) {
        const [data, message] = args as [Record<string, unknown>, string]
        if (typeof data === 'object' && data) warnings.push({ data, message: String(message) })
        return (originalWarn as (...a: unknown[]) => unknown).apply(this, args)
      }
      const written = await new PollStore().write([bad, good])
      ;(logger as { warn: unknown }).warn = originalWarn
      assert.equal(written, 2, 'the batch is done with, not retried forever')

      const rowsB = await pollRows(deviceB.id)
      assert.lengthOf(rowsB, 2, 'B has its second poll row')
      const stateB = await DeviceState.findOrFail(deviceB.id)
      assert.equal(stateB.cpuLoad, 42, "B's new data is stored")
      const rowsA = await pollRows(deviceA.id)
      assert.lengthOf(rowsA, 2, "A's poll is still recorded, without the refused data")
      const stateA = await DeviceState.findOrFail(deviceA.id)
      assert.equal(stateA.status, 'up')
      assert.notEqual(stateA.cpuLoad, 77, "none of A's refused poll is half-stored")

      const naming = warnings.filter(
        (w) => w.data.deviceId === deviceA.id || w.message.includes(deviceA.name)
      )
      assert.isAtLeast(naming.length, 1, 'a warning names device A')
      assert.include(naming[0].message, deviceA.name)
      assert.isFalse(
        warnings.some((w) => w.data.deviceId === deviceB.id || w.message.includes(deviceB.name)),
        'nothing is said against device B'
      )

      // The job goes on: a device added since is in the next tick's list (it was reloaded,
      // not the last known list of a "database unavailable" fallback).
      const agentC = await tableAgent(switchMib(1))
      try {
        const deviceC = await createDevice(town, {
          managementIp: '127.0.0.1',
          snmpPort: agentC.port,
        })
        const next = await job.tick({ force: true })
        assert.isFalse(next.skipped)
        if (next.skipped) return
        assert.equal(next.due, 3)
        assert.equal(next.ok, 3)
        assert.equal(next.buffered, 0)
        assert.includeMembers(
          next.records.map((r) => r.deviceId),
          [deviceA.id, deviceB.id, deviceC.id]
        )
        assert.isFalse(
          jobLog.lines.some((line) => line.message.includes('database unavailable')),
          'no database-unavailable fallback'
        )
      } finally {
        await agentC.close()
      }
    } finally {
      ;(logger as { warn: unknown }).warn = originalWarn
      await job.close()
      await agentA.close()
      await agentB.close()
    }
  }).timeout(30_000)
})
