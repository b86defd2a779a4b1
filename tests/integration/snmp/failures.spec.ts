import dgram from 'node:dgram'
import { test } from '@japa/runner'
import SnmpClient, { encodeOidContent, parseOid } from '#network_monitoring/snmp/client'
import DevicePoller from '#network_monitoring/snmp/device_poller'
import { freeUdpPort } from '#network_monitoring/simulator/external_agents'
import { rawAgent, switchMib, tableAgent } from '#tests/helpers/snmp_wire'

/** The 10-byte datagram that used to kill the web process (issue #8 point 1). */
const CRASH_DATAGRAM = Buffer.from('30000201010400a20002', 'hex')

/** Yields to the event loop until `condition` holds (at most 2 s): no fixed sleep. */
async function eventually(condition: () => boolean) {
  const end = performance.now() + 2000
  while (!condition() && performance.now() < end) {
    await new Promise((resolve) => setImmediate(resolve))
  }
}

async function sendFrom(host: string, port: number, datagram: Buffer) {
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
  await new Promise<void>((resolve) => socket.send(datagram, port, host, () => resolve()))
  socket.close()
}

/** Request-id bytes of a request we sent (version and community are short here). */
function requestIdOf(request: Buffer): Buffer {
  let pos = 2 + (request[1] & 0x80 ? request[1] & 0x7f : 0)
  pos += 2 + request[pos + 1]
  pos += 2 + request[pos + 1]
  pos += 2 + (request[pos + 1] & 0x80 ? request[pos + 1] & 0x7f : 0)
  return request.subarray(pos, pos + 2 + request[pos + 1])
}

/** A well-formed GetResponse to `request` carrying sysUpTime.0 = 4200. */
function goodReply(request: Buffer): Buffer {
  const tlv = (tag: number, ...parts: Buffer[]) => {
    const body = Buffer.concat(parts)
    return Buffer.concat([Buffer.from([tag, body.length]), body])
  }
  const name = encodeOidContent(parseOid('1.3.6.1.2.1.1.3.0'))
  const varbind = tlv(0x30, tlv(0x06, name), tlv(0x43, Buffer.from([0x10, 0x68])))
  const noError = Buffer.from([2, 1, 0, 2, 1, 0])
  const pdu = tlv(0xa2, requestIdOf(request), noError, tlv(0x30, varbind))
  return tlv(0x30, Buffer.from([2, 1, 1]), tlv(0x04, Buffer.from('public')), pdu)
}

test.group('snmp client failure handling', (group) => {
  let client: SnmpClient
  group.setup(async () => {
    client = await SnmpClient.open({ timeoutMs: 200, retries: 1 })
    return () => client.close()
  })

  test('an unreachable port times out after timeout × attempts', async ({ assert }) => {
    const port = await freeUdpPort()
    const started = performance.now()
    const error = await client
      .get({ host: '127.0.0.1', port }, ['1.3.6.1.2.1.1.3.0'])
      .catch((failure) => failure)
    const elapsed = performance.now() - started
    assert.equal(error.code, 'E_SNMP_TIMEOUT')
    assert.equal(error.name, 'SnmpTimeoutError')
    assert.isAtLeast(elapsed, 390)
    assert.isBelow(elapsed, 1000)
  })

  test('a reply that arrived while the event loop was stalled is not a timeout', async ({
    assert,
  }) => {
    // what a busy shared machine or a long GC does: the reply is in the socket, unread,
    // when the request's timer comes due — the device answered and must not look dead
    const agent = await rawAgent((request) => goodReply(request))
    const own = await SnmpClient.open({ timeoutMs: 200, retries: 0 })
    try {
      const answered = own.get({ host: '127.0.0.1', port: agent.port }, ['1.3.6.1.2.1.1.3.0'])
      // the agent (in this process) has the request and has sent its reply...
      while (agent.requests() === 0) await new Promise((resolve) => setImmediate(resolve))
      // ...which waits in the poller's socket while this thread is busy for three timeouts
      const until = performance.now() + 600
      let spins = 0
      while (performance.now() < until) spins++
      assert.isAbove(spins, 0)
      const [upTime] = await answered
      assert.equal(upTime.value, 4200)
      assert.equal(own.stats.timeouts, 0)
      assert.equal(agent.requests(), 1, 'not sent again either')
    } finally {
      own.close()
      await agent.close()
    }
  })

  test('the crash datagram does not kill the process; polls go on', async ({ assert }) => {
    const agent = await tableAgent(switchMib(4), { delayMs: 30 })
    const rejections: unknown[] = []
    const onRejection = (reason: unknown) => rejections.push(reason)
    process.on('unhandledRejection', onRejection)
    try {
      const malformedBefore = client.stats.malformed
      const polling = new DevicePoller(client).poll({ host: '127.0.0.1', port: agent.port })
      // while the poll waits: the datagram, at the poller's own socket, from a stranger
      for (let n = 0; n < 20; n++) await sendFrom('127.0.0.1', client.localPort, CRASH_DATAGRAM)
      const result = await polling
      assert.isTrue(result.ok)
      assert.lengthOf(result.interfaces, 4)
      // the datagrams may still be in the socket: wait for them to be counted, not a fixed time
      await eventually(() => client.stats.malformed - malformedBefore >= 20)
      assert.isAtLeast(client.stats.malformed - malformedBefore, 20)
      assert.equal(client.stats.handlerErrors, 0)
      assert.lengthOf(rejections, 0)
    } finally {
      process.off('unhandledRejection', onRejection)
      await agent.close()
    }
  })

  test('the socket is bound to the address it needs, not the wildcard', async ({ assert }) => {
    const agent = await tableAgent(switchMib(1))
    try {
      await client.get({ host: '127.0.0.1', port: agent.port }, ['1.3.6.1.2.1.1.3.0'])
      const addresses = await client.transport.boundAddresses()
      assert.deepEqual(addresses, ['127.0.0.1'])
    } finally {
      await agent.close()
    }
  })

  test('IPv6 management addresses are polled', async ({ assert }) => {
    const agent = await tableAgent(switchMib(2), { host: '::1' })
    try {
      const result = await new DevicePoller(client).poll({ host: '::1', port: agent.port })
      assert.isTrue(result.ok)
      assert.lengthOf(result.interfaces, 2)
      assert.include(await client.transport.boundAddresses(), '::1')
    } finally {
      await agent.close()
    }
  })

  test('hostname targets get the source-address check of IPs', async ({ assert }) => {
    // The right request-id and port, from another address: not the agent's reply.
    const impostor = dgram.createSocket('udp4')
    const agent = await rawAgent((request) => {
      impostor.send(goodReply(request), client.localPort, '127.0.0.1')
      return null
    })
    await new Promise<void>((resolve) => impostor.bind(agent.port, '127.0.0.2', () => resolve()))
    try {
      const strayBefore = client.stats.stray
      const error = await client
        .get({ host: 'localhost', port: agent.port, retries: 0 }, ['1.3.6.1.2.1.1.3.0'])
        .catch((failure) => failure)
      assert.equal(error.code, 'E_SNMP_TIMEOUT')
      assert.isAbove(client.stats.stray, strayBefore)
    } finally {
      impostor.close()
      await agent.close()
    }
  })

  test('a reply with another community or version is not the answer', async ({ assert }) => {
    const agent = await rawAgent((request) => {
      const good = goodReply(request)
      const otherCommunity = Buffer.from(good)
      otherCommunity[otherCommunity.indexOf('public')] = 'P'.charCodeAt(0)
      const v1 = Buffer.from(good)
      v1[4] = 0 // version INTEGER 1 → 0
      return [otherCommunity, v1]
    })
    try {
      const error = await client
        .get({ host: '127.0.0.1', port: agent.port, retries: 0 }, ['1.3.6.1.2.1.1.3.0'])
        .catch((failure) => failure)
      assert.equal(error.code, 'E_SNMP_TIMEOUT')
    } finally {
      await agent.close()
    }
  })

  test('a garbage reply is a typed malformed-response error, not a crash', async ({ assert }) => {
    const agent = await rawAgent(() => Buffer.from('this is not BER at all', 'utf8'))
    try {
      const result = await new DevicePoller(client).poll({ host: '127.0.0.1', port: agent.port })
      assert.isFalse(result.ok)
      assert.equal(result.error?.code, 'E_SNMP_MALFORMED_RESPONSE')
      // failed at once: the garbage does not cost a retransmission
      assert.equal(agent.requests(), 1)
    } finally {
      await agent.close()
    }
  })

  test('a truncated reply fails its request at once', async ({ assert }) => {
    const agent = await rawAgent((request) => {
      const reply = goodReply(request)
      return reply.subarray(0, reply.length - 3)
    })
    try {
      const started = performance.now()
      const error = await client
        .get({ host: '127.0.0.1', port: agent.port }, ['1.3.6.1.2.1.1.3.0'])
        .catch((failure) => failure)
      assert.equal(error.code, 'E_SNMP_MALFORMED_RESPONSE')
      assert.match(error.reason, /truncated/)
      assert.isBelow(performance.now() - started, 150)
    } finally {
      await agent.close()
    }
  })

  test('stray and duplicate datagrams are ignored; the real reply wins', async ({ assert }) => {
    const agent = await rawAgent((request) => {
      const good = goodReply(request)
      const wrongId = Buffer.from(good)
      wrongId[wrongId.indexOf(requestIdOf(request)) + 2] ^= 0xff
      return [wrongId, good, good]
    })
    try {
      const [upTime] = await client.get({ host: '127.0.0.1', port: agent.port }, [
        '1.3.6.1.2.1.1.3.0',
      ])
      assert.equal(upTime.value, 4200)
      await eventually(() => client.stats.stray >= 2)
      assert.isAtLeast(client.stats.stray, 2)
    } finally {
      await agent.close()
    }
  })

  test('an aborted poll stops waiting for its device', async ({ assert }) => {
    const port = await freeUdpPort()
    const controller = new AbortController()
    const started = performance.now()
    setTimeout(() => controller.abort(), 50)
    const result = await new DevicePoller(client).poll(
      { host: '127.0.0.1', port, timeoutMs: 5000 },
      { signal: controller.signal }
    )
    assert.equal(result.error?.code, 'E_SNMP_ABORTED')
    assert.isBelow(performance.now() - started, 1000)
    assert.equal(client.inFlight, 0)
  })
})
