import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/lucid'
import { installWriterDiscipline } from '#core/db_writers'

/**
 * SQLite (better-sqlite3) is the zero-setup default; DB_CONNECTION=mysql switches
 * to MySQL 8 / MariaDB >= 10.11 through mysql2. Tests never touch the development
 * database: they use tmp/test.sqlite3, or DB_DATABASE (which CI points at a
 * throwaway MariaDB schema).
 */
const sqlitePath =
  env.get('SQLITE_PATH') ?? app.tmpPath(app.inTest ? 'test.sqlite3' : 'shuzhi.sqlite3')

mkdirSync(dirname(sqlitePath), { recursive: true })

// SQLite transactions BEGIN IMMEDIATE, MySQL deadlock victims are retried: see app/core/db_writers.ts.
installWriterDiscipline()

/**
 * How long a SQLite writer waits for another process (e.g. `snmp:poll` beside
 * the web server) to release the write lock before failing. WAL lets readers
 * go on while someone writes.
 */
const busyTimeoutMs = env.get('DB_BUSY_TIMEOUT_MS', 15_000)

const migrations = { naturalSort: true, paths: ['database/migrations'] }

const dbConfig = defineConfig({
  connection: env.get('DB_CONNECTION', 'sqlite'),
  prettyPrintDebugQueries: true,
  connections: {
    sqlite: {
      client: 'better-sqlite3',
      connection: { filename: sqlitePath },
      useNullAsDefault: true,
      pool: {
        afterCreate(
          connection: { pragma(source: string): unknown },
          done: (error: Error | null, connection: unknown) => void
        ) {
          try {
            connection.pragma(`busy_timeout = ${busyTimeoutMs}`)
            connection.pragma('journal_mode = WAL')
            done(null, connection)
          } catch (error) {
            done(error as Error, connection)
          }
        },
      },
      migrations,
      schemaGeneration: { enabled: false },
      debug: false,
    },
    mysql: {
      client: 'mysql2',
      connection: {
        host: env.get('DB_HOST', '127.0.0.1'),
        port: env.get('DB_PORT', 3306),
        user: env.get('DB_USER', 'shuzhi'),
        password: env.get('DB_PASSWORD', ''),
        database: env.get('DB_DATABASE', 'shuzhi'),
        charset: 'utf8mb4',
        timezone: 'Z',
        dateStrings: false,
      },
      pool: { min: 0, max: 10 },
      migrations,
      schemaGeneration: { enabled: false },
      debug: false,
    },
  },
})

export default dbConfig
