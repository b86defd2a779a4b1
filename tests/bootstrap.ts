import { assert } from '@japa/assert'
import app from '@adonisjs/core/services/app'
import type { Config } from '@japa/runner/types'
import { pluginAdonisJS } from '@japa/plugin-adonisjs'
import testUtils from '@adonisjs/core/services/test_utils'
import ace from '@adonisjs/core/services/ace'
import hash from '@adonisjs/core/services/hash'
import { apiClient } from '@japa/api-client'
import { browserClient } from '@japa/browser-client'
import { sessionApiClient } from '@adonisjs/session/plugins/api_client'
import { sessionBrowserClient } from '@adonisjs/session/plugins/browser_client'
import { authApiClient } from '@adonisjs/auth/plugins/api_client'
import { authBrowserClient } from '@adonisjs/auth/plugins/browser_client'
import { shieldApiClient } from '@adonisjs/shield/plugins/api_client'
import { chromium } from 'playwright-core'
import { spec } from '@japa/runner/reporters'
import { summaryReporter } from '#tests/summary_reporter'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export const plugins: Config['plugins'] = [
  assert(),
  pluginAdonisJS(app),
  apiClient(),
  sessionApiClient(app),
  shieldApiClient(),
  authApiClient(app),
  browserClient({
    runInSuites: ['browser'],
    launcher: (options) =>
      chromium.launch({
        ...options,
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      }),
  }),
  sessionBrowserClient(app),
  authBrowserClient(app),
]

export const reporters: Config['reporters'] = {
  activated: ['spec', 'summary'],
  list: [spec(), summaryReporter()],
}

/**
 * The test database is migrated from scratch once per run (tmp/test.sqlite3,
 * or the DB_DATABASE schema on MySQL); each test wraps its work in a
 * transaction that is rolled back. Passwords are hashed with the fake hasher
 * (scrypt costs ~50 ms a user); the login tests switch real hashing back on
 * with `realPasswordHashing(group)`.
 */
export const runnerHooks: Required<Pick<Config, 'setup' | 'teardown'>> = {
  setup: [
    () => ace.ui.switchMode('raw'),
    () => {
      hash.fake()
    },
    () => testUtils.db().truncate(),
    () => testUtils.db().migrate(),
  ],
  teardown: [],
}

export const configureSuite: Config['configureSuite'] = (suite) => {
  if (['browser', 'functional'].includes(suite.name)) {
    return suite.setup(() => testUtils.httpServer().start())
  }
}
