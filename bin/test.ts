/**
 * Test runner entrypoint (Japa): checks the test peers (bin/test_peers.ts),
 * then runs the suites. Tests always run on their own database,
 * never the development one: see config/database.ts.
 */
process.env.NODE_ENV = 'test'
process.env.TZ = 'UTC'

import 'reflect-metadata'
import { fileURLToPath } from 'node:url'
import { Ignitor, prettyPrintError } from '@adonisjs/core'
import { configure, processCLIArgs, run } from '@japa/runner'
import { ensureTestPeers } from './test_peers.js'

const APP_ROOT = new URL('../', import.meta.url)

// snmpd, snmpsim and Chromium: installed with apt when we may, else one line and out.
if (!ensureTestPeers(process.argv.slice(2), fileURLToPath(APP_ROOT))) {
  process.exit(1)
}

const IMPORTER = (filePath: string) => {
  if (filePath.startsWith('./') || filePath.startsWith('../')) {
    return import(new URL(filePath, APP_ROOT).href)
  }
  return import(filePath)
}

new Ignitor(APP_ROOT, { importer: IMPORTER })
  .tap((app) => {
    app.booting(async () => {
      await import('#start/env')
    })
    app.listen('SIGTERM', () => app.terminate())
    app.listenIf(app.managedByPm2, 'SIGINT', () => app.terminate())
  })
  .testRunner()
  .configure(async (app) => {
    const { runnerHooks, ...config } = await import('../tests/bootstrap.js')

    processCLIArgs(process.argv.splice(2))
    configure({
      ...app.rcFile.tests,
      ...config,
      ...{
        setup: runnerHooks.setup,
        teardown: runnerHooks.teardown.concat([() => app.terminate()]),
      },
    })
  })
  .run(() => run())
  .catch((error) => {
    process.exitCode = 1
    prettyPrintError(error)
  })
