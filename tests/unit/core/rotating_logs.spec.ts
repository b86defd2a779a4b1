import { test } from '@japa/runner'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { LOG_RETENTION_DEFAULT_DAYS, rotatingFileTarget } from '#config/logger'

test.group('Application log files', () => {
  test('logs are written to a daily rotating file, 180 files kept by default', async ({
    assert,
  }) => {
    assert.isAtLeast(LOG_RETENTION_DEFAULT_DAYS, 180)
    const dir = await mkdtemp(join(tmpdir(), 'shuzhi-logs-'))
    try {
      const target = rotatingFileTarget(dir, LOG_RETENTION_DEFAULT_DAYS, 'info')
      assert.equal(target.options.limit.count, 180)
      const transport = pino.transport({ targets: [target] })
      const logger = pino({ level: 'info' }, transport)
      logger.error({ code: 'E_TEST' }, 'database error for the file log')
      await new Promise<void>((resolve) => {
        logger.flush()
        transport.end()
        transport.on('close', () => resolve())
      })
      const files = await readdir(dir)
      const today = new Date().toISOString().slice(0, 10)
      const file = files.find((name) => name.startsWith(`shuzhi.${today}`))
      assert.exists(file, `files: ${files.join(', ')}`)
      assert.include(await readFile(join(dir, file!), 'utf8'), 'database error for the file log')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
