import { test } from '@japa/runner'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import db from '@adonisjs/lucid/services/db'
import audit from '#core/audit/audit_service'
import { SyslogForwarder } from '#core/audit/syslog_forwarder'

/**
 * A real Debian rsyslog receiving RFC 5424 over TCP on loopback, writing what
 * it receives to a private file.
 */
class Rsyslog {
  process: ChildProcess | null = null
  constructor(
    public dir: string,
    public port: number
  ) {}

  get out() {
    return join(this.dir, 'received.log')
  }

  async start() {
    const conf = join(this.dir, 'rsyslog.conf')
    await writeFile(
      conf,
      [
        `global(workDirectory="${this.dir}")`,
        'module(load="imtcp")',
        `input(type="imtcp" port="${this.port}" address="127.0.0.1")`,
        'template(name="raw" type="string" string="%msgid% %structured-data%\\n")',
        `*.* action(type="omfile" file="${this.out}" template="raw")`,
      ].join('\n')
    )
    this.process = spawn(
      '/usr/sbin/rsyslogd',
      ['-n', '-f', conf, '-i', join(this.dir, 'rsyslogd.pid')],
      { stdio: 'ignore' }
    )
    await waitFor(() => canConnect(this.port), 'rsyslog to listen')
  }

  async stop() {
    const child = this.process
    this.process = null
    if (!child || child.exitCode !== null) return
    child.kill('SIGTERM')
    await once(child, 'exit')
  }

  async receivedIds() {
    if (!existsSync(this.out)) return new Set<number>()
    const text = await readFile(this.out, 'utf8')
    return new Set([...text.matchAll(/\[shuzhi@32473 id="(\d+)"/g)].map((m) => Number(m[1])))
  }
}

function canConnect(port: number) {
  return new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

async function freePort() {
  const server = net.createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as net.AddressInfo).port
  server.close()
  await once(server, 'close')
  return port
}

/** Polls a condition (no fixed sleeps): up to 20 s. */
async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`timed out waiting for ${what}`)
}

async function recordEvents(count: number, tag: string) {
  const ids: number[] = []
  for (let i = 0; i < count; i++) {
    const event = await audit.record({ action: 'test.syslog', actorName: tag, details: { i } })
    ids.push(Number(event.id))
  }
  return ids
}

test.group('Audit forwarding to syslog (rsyslog)', (group) => {
  let dir: string
  let collector: Rsyslog
  let forwarder: SyslogForwarder

  group.each.setup(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shuzhi-rsyslog-'))
    collector = new Rsyslog(dir, await freePort())
    // start from the current end of the trail
    const max = await db.from('audit_events').max('id as id').first()
    await db
      .from('audit_forward_state')
      .where('id', 1)
      .update({ last_forwarded_id: Number(max?.id ?? 0) })
    forwarder = new SyslogForwarder({
      target: { host: '127.0.0.1', port: collector.port },
      pollMs: 300,
      retryMs: 100,
      maxRetryMs: 400,
      settleMs: 200,
    })
    return async () => {
      await forwarder.stop()
      await collector.stop()
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('every event reaches the collector as it is written', async ({ assert }) => {
    await collector.start()
    forwarder.start((listener) => audit.onAppended(listener))
    const ids = await recordEvents(5, 'online')
    await waitFor(async () => {
      const got = await collector.receivedIds()
      return got.size >= ids.length
    }, 'delivery')
    const received = await collector.receivedIds()
    assert.includeMembers([...received], ids)
    const text = await readFile(collector.out, 'utf8')
    assert.include(text, 'test.syslog [shuzhi@32473 id=')
    await waitFor(async () => (await forwarder.backlog()) === 0, 'the cursor to catch up')
  })

  test('events written while the collector is down are queued and delivered after', async ({
    assert,
  }) => {
    forwarder.start((listener) => audit.onAppended(listener))
    const whileDown = await recordEvents(4, 'down-at-start')
    assert.equal(await forwarder.backlog(), 4)

    await collector.start()
    await waitFor(async () => {
      const got = await collector.receivedIds()
      return got.size >= 4
    }, 'queued delivery')
    const first = await collector.receivedIds()
    assert.includeMembers([...first], whileDown)

    // the collector goes away in the middle of operation, then comes back
    await waitFor(async () => (await forwarder.backlog()) === 0, 'the cursor to catch up')
    await collector.stop()
    const duringOutage = await recordEvents(3, 'outage')
    await waitFor(async () => (await forwarder.backlog()) >= 3, 'the outage to be noticed')
    await collector.start()
    await waitFor(async () => {
      const received = await collector.receivedIds()
      return duringOutage.every((id) => received.has(id))
    }, 'delivery after the outage')
    const all = await collector.receivedIds()
    assert.includeMembers([...all], [...whileDown, ...duringOutage])
    await waitFor(async () => (await forwarder.backlog()) === 0, 'the backlog to empty')
  })
})
