import env from '#start/env'
import app from '@adonisjs/core/services/app'

/** Monitoring settings, read from the environment (documented in README "Monitoring"). */
export interface MonitoringSettings {
  /** Serve the simulated county in-process (default: on, except in production). */
  simulator: boolean
  simulatorPort: number
  simulatorFaultFile: string
  /** Whether the web process runs the cron jobs (turn off when `snmp:poll` runs on its own). */
  schedulerEnabled: boolean
  /** node-cron expression of the poll tick; each tick polls the devices that are due. */
  pollCron: string
  snmpTimeoutMs: number
  snmpRetries: number
  snmpConcurrency: number
  /** Poll results kept while the database is unavailable (in memory and in the journal file). */
  pollBufferMax: number
  /** Local address the SNMP sockets send from (default: the route's source address per target). */
  snmpSourceAddress: string | undefined
  /** Timeout of the single GET that probes a device known to be down (one attempt). */
  snmpProbeTimeoutMs: number
  /** Poll results written per transaction while a cycle runs. */
  pollWriteBatch: number
  /** Journal of poll results waiting for the database (survives a restart). */
  pollJournalFile: string
  rawRetentionHours: number
  rollupRetentionDays: number
  rollup5mRetentionDays: number
  boardRefreshSeconds: number
}

export function monitoringSettings(): MonitoringSettings {
  const rollupRetentionDays = env.get('ROLLUP_RETENTION_DAYS', 400)
  return {
    simulator: env.get('SNMP_SIMULATOR', !app.inProduction),
    simulatorPort: env.get('SIMULATOR_PORT', 16100),
    simulatorFaultFile: env.get('SIMULATOR_FAULT_FILE', app.tmpPath('simulator_faults.json')),
    schedulerEnabled: env.get('SCHEDULER_ENABLED', true),
    pollCron: env.get('POLL_CRON', '*/10 * * * * *'),
    snmpTimeoutMs: env.get('SNMP_TIMEOUT_MS', 1500),
    snmpRetries: env.get('SNMP_RETRIES', 1),
    snmpConcurrency: env.get('SNMP_CONCURRENCY', 32),
    pollBufferMax: env.get('POLL_BUFFER_MAX', 10000),
    snmpSourceAddress: env.get('SNMP_SOURCE_ADDRESS'),
    snmpProbeTimeoutMs: env.get('SNMP_PROBE_TIMEOUT_MS', 800),
    pollWriteBatch: env.get('POLL_WRITE_BATCH', 200),
    pollJournalFile: env.get('POLL_JOURNAL_FILE', app.tmpPath('poll_journal.ndjson')),
    rawRetentionHours: env.get('RAW_RETENTION_HOURS', 48),
    rollupRetentionDays,
    rollup5mRetentionDays: env.get('ROLLUP_5M_RETENTION_DAYS', rollupRetentionDays),
    boardRefreshSeconds: env.get('BOARD_REFRESH_SECONDS', 15),
  }
}
