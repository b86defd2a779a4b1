/**
 * Environment variables, validated at boot. See README "Configuration".
 */
import { Env } from '@adonisjs/core/env'

export default await Env.create(new URL('../', import.meta.url), {
  NODE_ENV: Env.schema.enum(['development', 'production', 'test'] as const),
  PORT: Env.schema.number(),
  APP_KEY: Env.schema.secret(),
  APP_URL: Env.schema.string({ format: 'url', tld: false }),
  HOST: Env.schema.string({ format: 'host' }),
  LOG_LEVEL: Env.schema.string(),
  TZ: Env.schema.string.optional(),

  /** `database` (server-side, revocable; `cookie` is read as `database`) or `memory` (tests). */
  SESSION_DRIVER: Env.schema.enum.optional(['database', 'memory', 'cookie'] as const),
  SESSION_IDLE_MINUTES: Env.schema.number.optional(),

  /*
   * Identity (README "Identity and access"): login throttling, trusted
   * proxies and the second factor.
   */
  TRUST_PROXY: Env.schema.string.optional(),
  LOGIN_USER_IP_MAX_FAILURES: Env.schema.number.optional(),
  LOGIN_IP_MAX_FAILURES: Env.schema.number.optional(),
  LOGIN_WINDOW_MINUTES: Env.schema.number.optional(),
  LOGIN_THROTTLED_DELAY_MS: Env.schema.number.optional(),
  MFA_ENFORCE: Env.schema.boolean.optional(),
  MFA_REQUIRED_ROLES: Env.schema.string.optional(),

  DB_CONNECTION: Env.schema.enum.optional(['sqlite', 'mysql'] as const),
  SQLITE_PATH: Env.schema.string.optional(),
  DB_HOST: Env.schema.string.optional({ format: 'host' }),
  DB_PORT: Env.schema.number.optional(),
  DB_USER: Env.schema.string.optional(),
  DB_PASSWORD: Env.schema.string.optional(),
  DB_DATABASE: Env.schema.string.optional(),
  DB_BUSY_TIMEOUT_MS: Env.schema.number.optional(),

  LIMITER_STORE: Env.schema.enum.optional(['database', 'memory'] as const),

  SMTP_HOST: Env.schema.string.optional(),
  SMTP_PORT: Env.schema.number.optional(),
  SMTP_USER: Env.schema.string.optional(),
  SMTP_PASSWORD: Env.schema.string.optional(),
  SMTP_SECURE: Env.schema.boolean.optional(),
  MAIL_FROM: Env.schema.string.optional(),
  /* Mail outbox (README "邮件发件箱"): send tick, retry backoff, when to give up. */
  MAIL_OUTBOX_CRON: Env.schema.string.optional(),
  MAIL_RETRY_BASE_SECONDS: Env.schema.number.optional(),
  MAIL_RETRY_MAX_SECONDS: Env.schema.number.optional(),
  MAIL_MAX_ATTEMPTS: Env.schema.number.optional(),
  /* Duty and notification (README "值班与告警通知"). */
  DUTY_FALLBACK_EMAIL: Env.schema.string.optional(),

  BUREAU_NAME: Env.schema.string.optional(),
  DOCUMENT_PREFIX: Env.schema.string.optional(),
  /** Monthly security report: minutes to acknowledge / resolve for grades I–IV, e.g. 5,15,30,60 */
  SECURITY_MTTA_TARGETS: Env.schema.string.optional(),
  SECURITY_MTTR_TARGETS: Env.schema.string.optional(),

  /*
   * Audit trail protection (README "等保"): HMAC chain key, signed checkpoints
   * kept outside the database, syslog forwarding, backups and log files.
   */
  AUDIT_KEY: Env.schema.secret.optional(),
  AUDIT_PREVIOUS_KEYS: Env.schema.secret.optional(),
  AUDIT_CHECKPOINT_DIR: Env.schema.string.optional(),
  AUDIT_SIGNING_KEY: Env.schema.secret.optional(),
  AUDIT_SIGNING_KEY_FILE: Env.schema.string.optional(),
  AUDIT_VERIFY_KEY_FILE: Env.schema.string.optional(),
  AUDIT_CHECKPOINT_CRON: Env.schema.string.optional(),
  AUDIT_SYSLOG_HOST: Env.schema.string.optional(),
  AUDIT_SYSLOG_PORT: Env.schema.number.optional(),
  AUDIT_SYSLOG_TLS: Env.schema.boolean.optional(),
  AUDIT_SYSLOG_TLS_VERIFY: Env.schema.boolean.optional(),
  AUDIT_SYSLOG_CA_FILE: Env.schema.string.optional(),
  BACKUP_DIR: Env.schema.string.optional(),
  BACKUP_CRON: Env.schema.string.optional(),
  BACKUP_KEEP: Env.schema.number.optional(),
  LOG_DIR: Env.schema.string.optional(),
  LOG_RETENTION_DAYS: Env.schema.number.optional(),

  /*
   * Extranet monitoring (README "Monitoring"): the built-in SNMP simulator,
   * the poller, and how long history is kept.
   */
  SNMP_SIMULATOR: Env.schema.boolean.optional(),
  SIMULATOR_PORT: Env.schema.number.optional(),
  SIMULATOR_FAULT_FILE: Env.schema.string.optional(),
  SCHEDULER_ENABLED: Env.schema.boolean.optional(),
  POLL_CRON: Env.schema.string.optional(),
  SNMP_TIMEOUT_MS: Env.schema.number.optional(),
  SNMP_RETRIES: Env.schema.number.optional(),
  SNMP_CONCURRENCY: Env.schema.number.optional(),
  POLL_BUFFER_MAX: Env.schema.number.optional(),
  SNMP_SOURCE_ADDRESS: Env.schema.string.optional({ format: 'host' }),
  SNMP_PROBE_TIMEOUT_MS: Env.schema.number.optional(),
  POLL_WRITE_BATCH: Env.schema.number.optional(),
  POLL_JOURNAL_FILE: Env.schema.string.optional(),
  LOCK_STORE: Env.schema.enum.optional(['database', 'memory'] as const),
  RAW_RETENTION_HOURS: Env.schema.number.optional(),
  ROLLUP_RETENTION_DAYS: Env.schema.number.optional(),
  ROLLUP_5M_RETENTION_DAYS: Env.schema.number.optional(),
  BOARD_REFRESH_SECONDS: Env.schema.number.optional(),

  /** 态势感知 push API (README "Push API"): requests per minute and token. */
  PUSH_API_REQUESTS_PER_MINUTE: Env.schema.number.optional(),
})
