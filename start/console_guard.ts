/**
 * Console preload (README "等保"): in production, the built-in destructive
 * database commands refuse to touch the audit tables, and every ace command
 * that can change data is recorded in the audit trail with its operator (OS
 * user and host) and exit code.
 */
import app from '@adonisjs/core/services/app'
import ace from '@adonisjs/core/services/ace'
import logger from '@adonisjs/core/services/logger'
import type { BaseCommand } from '@adonisjs/core/ace'
import {
  AUDIT_PROTECTED_COMMANDS,
  auditTablesAtRisk,
  READ_ONLY_COMMANDS,
} from '#core/audit/console_guard'

ace.executing(async (command: BaseCommand, isMain: boolean) => {
  const name = (command.constructor as typeof BaseCommand).commandName
  if (!app.inProduction || !AUDIT_PROTECTED_COMMANDS.has(name)) return
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const flags = command as unknown as { batch?: number; step?: number }
  const risk = await auditTablesAtRisk(db, name, flags)
  if (risk.length > 0) {
    throw new Error(
      `拒绝执行：生产环境中 "${name}" 会清空或删除审计日志表（${risk.join(', ')}），审计记录必须保留不少于 180 天。` +
        ` Refused: in production "${name}" would empty or drop the audit tables; use "audit:purge" for retention, and "backup:restore" for a restore.` +
        (isMain ? '' : ' (called by another command)')
    )
  }
})

ace.executed(async (command: BaseCommand, isMain: boolean) => {
  const ctor = command.constructor as typeof BaseCommand
  if (!isMain || !ctor.options?.startApp || READ_ONLY_COMMANDS.has(ctor.commandName)) return
  try {
    // migration commands release their connection when they complete: register it again
    const { default: db } = await import('@adonisjs/lucid/services/db')
    const name = db.primaryConnectionName
    if (!db.manager.has(name)) {
      db.manager.add(name, app.config.get(`database.connections.${name}`))
    }
    const { default: audit } = await import('#core/audit/audit_service')
    const { operatorActor } = await import('#core/audit/operator')
    await audit.record({
      ...operatorActor(ctor.commandName),
      action: 'ace.command',
      outcome: command.exitCode && command.exitCode !== 0 ? 'failure' : 'success',
      details: { command: ctor.commandName, argv: process.argv.slice(2).slice(0, 20) },
    })
  } catch (error) {
    logger.warn(`could not audit "${ctor.commandName}": ${(error as Error).message}`)
  }
})
