import { isAbsolute, join } from 'node:path'
import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, targets } from '@adonisjs/core/logger'

/**
 * Application logs go to stdout and (outside tests) to daily rotating files
 * (pino-roll) under LOG_DIR (default storage/logs), keeping LOG_RETENTION_DAYS
 * files (default 180: 等保 / 网络安全法 six months). LOG_DIR=off disables files.
 */
export const LOG_RETENTION_DEFAULT_DAYS = 180

export function rotatingFileTarget(dir: string, days: number, level: string) {
  return {
    target: 'pino-roll',
    level,
    options: {
      file: join(dir, 'shuzhi'),
      frequency: 'daily',
      dateFormat: 'yyyy-MM-dd',
      extension: '.log',
      mkdir: true,
      limit: { count: days, removeOtherLogFiles: true },
    },
  }
}

const logDir = env.get('LOG_DIR', 'storage/logs')
const fileLogs = !app.inTest && logDir !== 'off'
const level = env.get('LOG_LEVEL')

const loggerConfig = defineConfig({
  default: 'app',
  loggers: {
    app: {
      enabled: true,
      name: 'shuzhi',
      level,
      transport: {
        targets: targets()
          .pushIf(!app.inProduction, targets.pretty())
          .pushIf(app.inProduction, targets.file({ destination: 1 }))
          .pushIf(
            fileLogs,
            rotatingFileTarget(
              isAbsolute(logDir) ? logDir : app.makePath(logDir),
              env.get('LOG_RETENTION_DAYS', LOG_RETENTION_DEFAULT_DAYS),
              level
            )
          )
          .toArray(),
      },
    },
  },
})

export default loggerConfig

declare module '@adonisjs/core/types' {
  export interface LoggersList extends InferLoggers<typeof loggerConfig> {}
}
