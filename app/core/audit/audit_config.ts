import { tmpdir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import app from '@adonisjs/core/services/app'
import env from '#start/env'

/**
 * Settings of the tamper-evident audit trail (README "等保"). Everything that
 * protects the trail lives outside the database: the HMAC key (AUDIT_KEY), the
 * Ed25519 checkpoint signing key and the checkpoint directory.
 */
export interface AuditSettings {
  /** Current HMAC key (AUDIT_KEY). */
  key: string | undefined
  /** Retired keys kept only to verify older rows (AUDIT_PREVIOUS_KEYS, comma separated). */
  previousKeys: string[]
  /** Where signed checkpoints are written (a directory the database account cannot write). */
  checkpointDir: string
  /** Ed25519 private key (PEM) inline, or the file holding it. */
  signingKey: string | undefined
  signingKeyFile: string
  /** Public key file used by verification; derived from the private key when absent. */
  verifyKeyFile: string | undefined
  checkpointCron: string
  syslog: {
    host: string | undefined
    port: number
    tls: boolean
    caFile: string | undefined
    rejectUnauthorized: boolean
  }
}

function resolvePath(value: string) {
  return isAbsolute(value) ? value : app.makePath(value)
}

export function loadAuditSettings(): AuditSettings {
  const tls = env.get('AUDIT_SYSLOG_TLS', false)
  // Tests must never write checkpoints into the working copy.
  const defaultCheckpointDir = app.inTest
    ? join(tmpdir(), `shuzhi-audit-checkpoints-test-${process.pid}`)
    : app.makePath('storage', 'audit-checkpoints')
  const defaultKeyFile = app.inTest
    ? join(tmpdir(), `shuzhi-audit-signing-test-${process.pid}.pem`)
    : app.makePath('storage', 'audit-keys', 'checkpoint_ed25519.pem')
  const verifyKeyFile = env.get('AUDIT_VERIFY_KEY_FILE')
  return {
    key: env.get('AUDIT_KEY')?.release(),
    previousKeys: (env.get('AUDIT_PREVIOUS_KEYS')?.release() ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
    checkpointDir: resolvePath(env.get('AUDIT_CHECKPOINT_DIR') ?? defaultCheckpointDir),
    signingKey: env.get('AUDIT_SIGNING_KEY')?.release(),
    signingKeyFile: resolvePath(env.get('AUDIT_SIGNING_KEY_FILE') ?? defaultKeyFile),
    verifyKeyFile: verifyKeyFile ? resolvePath(verifyKeyFile) : undefined,
    checkpointCron: env.get('AUDIT_CHECKPOINT_CRON', '*/5 * * * *'),
    syslog: {
      host: env.get('AUDIT_SYSLOG_HOST') || undefined,
      port: env.get('AUDIT_SYSLOG_PORT', tls ? 6514 : 514),
      tls,
      caFile: env.get('AUDIT_SYSLOG_CA_FILE') || undefined,
      rejectUnauthorized: env.get('AUDIT_SYSLOG_TLS_VERIFY', true),
    },
  }
}
