import { spawn } from 'node:child_process'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import locks from '@adonisjs/lock/services/main'

/**
 * Issue #8 point 10: the poll tick lock spans processes through the database lock store (the
 * production default; the test env uses the memory store). While this process holds
 * `snmp:poll:tick` in the database, a separate `node ace snmp:poll --once` skips its tick;
 * once released, the same command polls.
 */

function pollOnceInChild() {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ['ace', 'snmp:poll', '--once'], {
      cwd: app.makePath(),
      // Same database as this process (SQLite file or the MariaDB of bin/mariadb_test.sh).
      env: { ...process.env, NODE_ENV: 'test', LOCK_STORE: 'database', LOG_LEVEL: 'info' },
    })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('exit', (code) => resolve({ code, output }))
  })
}

test.group('Poll tick lock across processes (database store)', () => {
  test('a tick lock held in the database makes another process skip; released, it polls', async ({
    assert,
  }) => {
    const held = locks.use('database').createLock('snmp:poll:tick', '60s')
    assert.isTrue(await held.acquireImmediately(), 'the lock is free to begin with')
    try {
      const blocked = await pollOnceInChild()
      assert.equal(blocked.code, 0, blocked.output)
      assert.include(blocked.output, 'another process holds the tick lock')
      assert.notMatch(blocked.output, /polled \d+ device/)
    } finally {
      await held.release()
    }
    const free = await pollOnceInChild()
    assert.equal(free.code, 0, free.output)
    assert.match(free.output, /polled \d+ device/)
    assert.notInclude(free.output, 'another process holds the tick lock')
    // and the child let go of it when done
    const after = locks.use('database').createLock('snmp:poll:tick', '5s')
    assert.isTrue(await after.acquireImmediately())
    await after.release()
  }).timeout(120_000)
})
