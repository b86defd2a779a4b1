import { test } from '@japa/runner'
import SnmpClient, { SnmpType } from '#network_monitoring/snmp/client'
import DevicePoller, { OIDS } from '#network_monitoring/snmp/device_poller'
import PollScheduler from '#network_monitoring/snmp/poll_scheduler'
import type { PollResult } from '#network_monitoring/snmp/device_poller'
import {
  int,
  octets,
  parseRequest,
  rawAgent,
  response,
  switchMib,
  tableAgent,
  tlv,
  varbind,
  type MibEntry,
} from '#tests/helpers/snmp_wire'

/*
 * Hostile agents (issue #8): small UDP responders that answer correctly
 * except for one precise defect each. The device poller must keep every
 * good column, mark the device up when it answered, and fail only the
 * module whose data was bad.
 */

const GBK_ALIAS = Buffer.from('b5e7d7d3d5fecef1cdf8c9cfc1aa', 'hex') // 电子政务网上联
const GBK_DESCR = Buffer.from('c4e3bac3', 'hex') // 你好

test.group('hostile agents: the device answered, so it is up', (group) => {
  let client: SnmpClient
  group.setup(async () => {
    client = await SnmpClient.open({ timeoutMs: 300, retries: 0 })
    return () => client.close()
  })

  test('genErr on the CPU column fails the cpu module alone', async ({ assert }) => {
    const agent = await tableAgent(switchMib(4, { cpu: [12, 30] }), {
      error: (request) => {
        const at = request.oids.findIndex((oid) => oid.startsWith(OIDS.hrProcessorLoad))
        return at >= 0 ? { status: 5, index: at + 1 } : null
      },
    })
    try {
      const result = await new DevicePoller(client).poll({ host: '127.0.0.1', port: agent.port })
      assert.isTrue(result.ok, 'a device that answers is up')
      assert.deepEqual(result.modules, { system: 'ok', interfaces: 'ok', cpu: 'failed' })
      assert.lengthOf(result.interfaces, 4)
      assert.equal(result.system?.sysName, 'sw-test')
      assert.deepEqual(
        result.moduleErrors.map((error) => [error.module, error.code]),
        [['cpu', 'E_SNMP_ERROR_STATUS']]
      )
      assert.include(result.moduleErrors[0].message, 'genErr')
    } finally {
      await agent.close()
    }
  })

  test('tooBig even at max-repetitions 1 splits the varbind list', async ({ assert }) => {
    const agent = await tableAgent(switchMib(3), {
      error: (request) => (request.oids.length > 4 ? { status: 1, index: 0 } : null),
    })
    try {
      const result = await new DevicePoller(client).poll({ host: '127.0.0.1', port: agent.port })
      assert.isTrue(result.ok)
      assert.deepEqual(result.moduleErrors, [])
      assert.deepEqual(
        result.interfaces.map((row) => [row.ifIndex, row.descr, row.operStatus, row.inOctets]),
        [
          [1, 'GigabitEthernet0/0/1', 1, 1000n],
          [2, 'GigabitEthernet0/0/2', 1, 2000n],
          [3, 'GigabitEthernet0/0/3', 1, 3000n],
        ]
      )
      assert.isTrue(
        agent.received.every((request) => request.oids.length <= 4 || request.maxRepetitions > 0)
      )
    } finally {
      await agent.close()
    }
  })

  test('a reply missing one varbind, or with two swapped, loses no column', async ({ assert }) => {
    const mib = switchMib(5, { alias: (i) => `port ${i}` })
    let damaged = 0
    for (const damage of ['drop', 'swap'] as const) {
      const agent = await tableAgent(mib, {
        mangle: (varbinds, request) => {
          if (request.pduType !== 5 || request.oids.length < 10 || varbinds.length < 30) {
            return varbinds
          }
          damaged++
          const out = [...varbinds]
          if (damage === 'drop') out.splice(request.nonRepeaters + 3, 1)
          else [out[20], out[21]] = [out[21], out[20]]
          return out
        },
      })
      try {
        const result = await new DevicePoller(client).poll({ host: '127.0.0.1', port: agent.port })
        assert.isTrue(result.ok, `${damage}: ${result.error?.message}`)
        assert.deepEqual(
          result.moduleErrors,
          [],
          `${damage}: ${JSON.stringify(result.moduleErrors)}`
        )
        assert.deepEqual(
          result.interfaces.map((row) => [
            row.ifIndex,
            row.descr,
            row.type,
            row.speedBps,
            row.operStatus,
            row.alias,
            row.inOctets,
            row.outOctets,
          ]),
          [1, 2, 3, 4, 5].map((i) => [
            i,
            `GigabitEthernet0/0/${i}`,
            6,
            1e9,
            1,
            `port ${i}`,
            BigInt(1000 * i),
            BigInt(2000 * i),
          ]),
          damage
        )
      } finally {
        await agent.close()
      }
    }
    assert.isAtLeast(damaged, 2)
  })

  test('GBK text is decoded, UTF-8 stays UTF-8', async ({ assert }) => {
    const agent = await tableAgent(
      switchMib(2, {
        sysDescr: GBK_DESCR,
        alias: (i) => (i === 1 ? GBK_ALIAS : '县核心-上联'),
      })
    )
    try {
      const result = await new DevicePoller(client).poll({ host: '127.0.0.1', port: agent.port })
      assert.equal(result.system?.sysDescr, '你好')
      assert.deepEqual(
        result.interfaces.map((row) => row.alias),
        ['电子政务网上联', '县核心-上联']
      )
    } finally {
      await agent.close()
    }
  })

  test('out-of-range values become unknown, the rest of the row is kept', async ({ assert }) => {
    const mib = switchMib(2).map(([oid, value]): MibEntry => {
      if (oid === `${OIDS.ifOperStatus}.1`) return [oid, int(300)]
      if (oid === `${OIDS.ifSpeed}.1`) return [oid, int(-1)]
      if (oid === `${OIDS.ifHCInOctets}.2`) {
        // 22 digits: 9 bytes with a non-zero first byte, beyond 2^64
        return [oid, tlv(SnmpType.Counter64, Buffer.from('ff0000000000000001', 'hex'))]
      }
      return [oid, value]
    })
    const agent = await tableAgent(mib)
    try {
      const result = await new DevicePoller(client).poll({ host: '127.0.0.1', port: agent.port })
      assert.isTrue(result.ok)
      const [one, two] = result.interfaces
      assert.isNull(one.operStatus)
      assert.equal(one.speedBps, 1e9, 'ifHighSpeed still gives the speed')
      assert.equal(one.descr, 'GigabitEthernet0/0/1')
      // no usable 64-bit counter on that row: its 32-bit counters are read instead
      assert.equal(two.inOctets, 2000n)
      assert.equal(two.octetsCounterBits, 32)
      assert.equal(two.outOctets, 4000n % 2n ** 32n)
      assert.deepEqual(
        result.moduleErrors.map((error) => [error.module, error.code]),
        [['interfaces', 'E_SNMP_BAD_VALUE']]
      )
      assert.include(result.moduleErrors[0].message, 'ifOperStatus.1')
    } finally {
      await agent.close()
    }
  })

  test('a device that answered and then fell silent is up, its modules say why', async ({
    assert,
  }) => {
    let replies = 0
    const mib = switchMib(30)
    const honest = await tableAgent(mib)
    const agent = await rawAgent(async (request) => {
      if (replies++ > 0) return null
      // forward the first request to an honest agent and relay its answer
      return new Promise<Buffer>((resolve) => {
        import('node:dgram').then(({ default: dgram }) => {
          const socket = dgram.createSocket('udp4')
          socket.on('message', (msg) => {
            socket.close()
            resolve(msg)
          })
          socket.send(request, honest.port, '127.0.0.1')
        })
      })
    })
    try {
      const result = await new DevicePoller(client, { maxRepetitions: 5 }).poll({
        host: '127.0.0.1',
        port: agent.port,
      })
      assert.isTrue(result.ok)
      assert.equal(result.system?.sysName, 'sw-test')
      assert.equal(result.modules.interfaces, 'failed')
      assert.includeMembers(
        result.moduleErrors.map((error) => error.code),
        ['E_SNMP_TIMEOUT']
      )
    } finally {
      await agent.close()
      await honest.close()
    }
  })

  test('a slow agent answering every request is never cut off by a fixed deadline', async ({
    assert,
  }) => {
    // 120 ms per reply, ~8 requests: ~1 s in all, twice the scheduler's no-progress deadline
    const agent = await tableAgent(switchMib(8), { delayMs: 120 })
    const poller = new DevicePoller(client, { maxRepetitions: 2 })
    const scheduler = new PollScheduler<{ port: number }, PollResult>({
      concurrency: 1,
      deviceTimeoutMs: 500,
      poll: (device, signal, progress) =>
        poller.poll({ host: '127.0.0.1', port: device.port }, { signal, onResponse: progress }),
    })
    try {
      const cycle = await scheduler.runCycle([{ port: agent.port }])
      assert.isFalse(cycle.skipped)
      if (cycle.skipped) return
      const [outcome] = cycle.outcomes
      assert.isTrue(outcome.ok)
      assert.isAbove(outcome.durationMs, 500)
      assert.lengthOf(outcome.result!.interfaces, 8)
      assert.deepEqual(outcome.result!.moduleErrors, [])
    } finally {
      await agent.close()
    }
  })

  test('a bulk reply holding only the scalars is not an error', async ({ assert }) => {
    let first = true
    const agent = await tableAgent(switchMib(2), {
      mangle: (varbinds, request) => {
        if (!first || request.nonRepeaters === 0) return varbinds
        first = false
        return varbinds.slice(0, request.nonRepeaters)
      },
    })
    try {
      const result = await new DevicePoller(client).poll({ host: '127.0.0.1', port: agent.port })
      assert.isTrue(result.ok)
      assert.deepEqual(result.moduleErrors, [])
      assert.lengthOf(result.interfaces, 2)
      assert.equal(result.system?.sysName, 'sw-test')
    } finally {
      await agent.close()
    }
  })

  test('a runaway agent is cut off at the memory bound; the device stays up', async ({
    assert,
  }) => {
    // An endless ifDescr column of 1 KB strings (every other column empty).
    const agent = await rawAgent((msg) => {
      const request = parseRequest(msg)
      const out: Buffer[] = []
      for (const oid of request.oids.slice(0, request.nonRepeaters)) {
        out.push(varbind(`${oid}.0`, octets('x')))
      }
      const cursors = request.oids.slice(request.nonRepeaters)
      for (let r = 0; r < Math.max(1, request.maxRepetitions); r++) {
        for (const oid of cursors) {
          if (!oid.startsWith(OIDS.ifDescr)) {
            out.push(varbind('1.3.6.1.9', tlv(SnmpType.EndOfMibView)))
            continue
          }
          const last = oid === OIDS.ifDescr ? 0 : Number(oid.split('.').at(-1))
          out.push(varbind(`${OIDS.ifDescr}.${last + r + 1}`, octets('y'.repeat(1000))))
        }
        if (out.length > 40) break
      }
      return response(request.reqid, out)
    })
    try {
      const result = await new DevicePoller(client, { maxBytesPerDevice: 300_000 }).poll({
        host: '127.0.0.1',
        port: agent.port,
      })
      assert.isTrue(result.ok, result.error?.message)
      assert.equal(result.modules.interfaces, 'failed')
      assert.deepEqual(
        result.moduleErrors.filter((error) => error.module === 'interfaces').map((e) => e.code),
        ['E_SNMP_TOO_MUCH_DATA']
      )
      assert.isBelow(agent.requests(), 400)
    } finally {
      await agent.close()
    }
  })
})
