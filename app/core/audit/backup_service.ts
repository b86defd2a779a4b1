import { createHash, createHmac } from 'node:crypto'
import { spawn } from 'node:child_process'
import { createReadStream, createWriteStream, existsSync } from 'node:fs'
import {
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, isAbsolute, join, relative } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import audit from '#core/audit/audit_service'
import { publicKeyFingerprint } from '#core/audit/checkpoints'
import { operatorName } from '#core/audit/operator'

/**
 * backup:create / backup:restore (README "备份与恢复"). One .tar.gz holds the
 * database (SQLite online backup API, or mysqldump --single-transaction), the
 * files under storage/ (attachments) and manifest.json with checksums and the
 * fingerprints of the keys the data needs — never the keys themselves.
 */
export interface Manifest {
  format: 'shuzhi-backup-1'
  createdAt: string
  operator: string
  database: { client: 'sqlite' | 'mysql'; file: string }
  files: Array<{ path: string; size: number; sha256: string }>
  keys: { appKey: string; auditKeyId: string; checkpointSigner: string | null }
  audit: { lastId: number | null; count: number; verified: boolean }
}

export class BackupError extends Error {
  constructor(message: string) {
    super(message)
  }
}

type Progress = (message: string) => void

/** Directories under storage/ that never go into a backup (they are kept apart on purpose). */
const STORAGE_EXCLUDED = ['backups', 'logs', 'audit-checkpoints', 'audit-keys']

export function backupSettings() {
  const dir = env.get('BACKUP_DIR', 'storage/backups')
  return {
    dir: isAbsolute(dir) ? dir : app.makePath(dir),
    cron: env.get('BACKUP_CRON', '30 2 * * *'),
    keep: env.get('BACKUP_KEEP', 14),
  }
}

export function appKeyFingerprint() {
  return createHmac('sha256', env.get('APP_KEY').release())
    .update('shuzhi-app-key-id')
    .digest('hex')
    .slice(0, 16)
}

async function sha256File(path: string) {
  const hash = createHash('sha256')
  await pipeline(createReadStream(path), hash)
  return hash.digest('hex')
}

function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: string; stdout?: string } = {}
) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...options.env },
      stdio: [options.stdin ? 'pipe' : 'ignore', options.stdout ? 'pipe' : 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr!.on('data', (d) => (stderr += d))
    const done: Promise<unknown>[] = []
    if (options.stdout) done.push(pipeline(child.stdout!, createWriteStream(options.stdout)))
    if (options.stdin) done.push(pipeline(createReadStream(options.stdin), child.stdin!))
    child.on('error', reject)
    child.on('close', async (code) => {
      await Promise.allSettled(done)
      if (code === 0) resolve()
      else
        reject(new BackupError(`${command} failed (exit ${code}): ${stderr.trim().slice(0, 500)}`))
    })
  })
}

async function walk(dir: string, base = dir): Promise<string[]> {
  if (!existsSync(dir)) return []
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await walk(full, base)))
    else if (entry.isFile()) out.push(relative(base, full))
  }
  return out
}

function connectionInfo() {
  const name = db.primaryConnectionName
  const config = app.config.get<any>(`database.connections.${name}`)
  const client: 'sqlite' | 'mysql' = String(config.client).includes('sqlite') ? 'sqlite' : 'mysql'
  return { name, config, client }
}

function mysqlArgs(config: any) {
  const c = config.connection
  return {
    args: ['-h', String(c.host), '-P', String(c.port), '-u', String(c.user)],
    env: { MYSQL_PWD: String(c.password ?? '') },
    database: String(c.database),
  }
}

export class BackupService {
  async create(progress: Progress = () => {}) {
    const settings = backupSettings()
    const { config, client } = connectionInfo()
    const staging = await mkdtemp(join(tmpdir(), 'shuzhi-backup-'))
    try {
      progress('1/4 校验审计日志 (verifying the audit chain)')
      const chain = await audit.verify()

      progress('2/4 备份数据库 (database)')
      const dbFile = client === 'sqlite' ? 'database.sqlite3' : 'database.sql'
      if (client === 'sqlite') {
        // @ts-expect-error better-sqlite3 ships no type declarations
        const { default: Database } = await import('better-sqlite3')
        const source = new Database(config.connection.filename, { readonly: true })
        try {
          await source.backup(join(staging, dbFile))
        } finally {
          source.close()
        }
      } else {
        const my = mysqlArgs(config)
        await run(
          'mysqldump',
          [
            ...my.args,
            '--single-transaction',
            '--routines',
            '--triggers',
            '--no-tablespaces',
            '--hex-blob',
            '--default-character-set=utf8mb4',
            my.database,
          ],
          { env: my.env, stdout: join(staging, dbFile) }
        )
      }

      progress('3/4 复制附件 (files under storage/)')
      const storage = app.makePath('storage')
      const files: string[] = [dbFile]
      if (existsSync(storage)) {
        for (const entry of await readdir(storage, { withFileTypes: true })) {
          if (!entry.isDirectory() || STORAGE_EXCLUDED.includes(entry.name)) continue
          await cp(join(storage, entry.name), join(staging, 'storage', entry.name), {
            recursive: true,
          })
        }
        const stored = await walk(join(staging, 'storage'))
        files.push(...stored.map((f) => join('storage', f)))
      }

      const manifest: Manifest = {
        format: 'shuzhi-backup-1',
        createdAt: DateTime.utc().toISO()!,
        operator: operatorName(),
        database: { client, file: dbFile },
        files: [],
        keys: {
          appKey: appKeyFingerprint(),
          auditKeyId: audit.keyring.currentId,
          checkpointSigner: publicKeyFingerprint(await audit.verifyKey()),
        },
        audit: chain.ok
          ? { lastId: chain.lastId, count: chain.count, verified: true }
          : { lastId: null, count: chain.checked, verified: false },
      }
      for (const file of files) {
        const path = join(staging, file)
        const info = await stat(path)
        manifest.files.push({
          path: file,
          size: info.size,
          sha256: await sha256File(path),
        })
      }
      await writeFile(join(staging, 'manifest.json'), JSON.stringify(manifest, null, 2))

      progress('4/4 打包 (archive)')
      await mkdir(settings.dir, { recursive: true, mode: 0o700 })
      const name = `shuzhi-backup-${DateTime.utc().toFormat("yyyyMMdd'T'HHmmss'Z'")}.tar.gz`
      const archive = join(settings.dir, name)
      await run('tar', ['-czf', archive, '-C', staging, '.'])
      const removed = await this.prune(settings.dir, settings.keep)
      return { archive, manifest, removed, chainOk: chain.ok }
    } finally {
      await rm(staging, { recursive: true, force: true })
    }
  }

  /** Keeps the newest `keep` archives. */
  async prune(dir: string, keep: number) {
    const entries = await readdir(dir)
    const names = entries.filter((n) => /^shuzhi-backup-.*\.tar\.gz$/.test(n)).sort()
    const old = names.slice(0, Math.max(0, names.length - keep))
    for (const name of old) await unlink(join(dir, name))
    return old
  }

  /** Reads and checks an archive: manifest, checksums and keys. Returns the extracted directory. */
  async open(archive: string, progress: Progress = () => {}) {
    if (!existsSync(archive)) throw new BackupError(`找不到备份文件：${archive}`)
    const dir = await mkdtemp(join(tmpdir(), 'shuzhi-restore-'))
    try {
      progress('1/5 解包 (extracting)')
      await run('tar', ['-xzf', archive, '-C', dir])
      const manifestPath = join(dir, 'manifest.json')
      if (!existsSync(manifestPath))
        throw new BackupError(`${basename(archive)} 不是数治备份文件（缺少 manifest.json）。`)
      const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest
      if (manifest.format !== 'shuzhi-backup-1') throw new BackupError('备份文件格式不受支持。')

      progress('2/5 校验文件 (checksums)')
      for (const file of manifest.files) {
        const path = join(dir, file.path)
        if (!existsSync(path) || (await sha256File(path)) !== file.sha256) {
          throw new BackupError(
            `备份文件已损坏或被改动：${file.path} 的校验和与清单不符，拒绝恢复。`
          )
        }
      }

      progress('3/5 核对密钥 (key fingerprints)')
      if (manifest.keys.appKey !== appKeyFingerprint()) {
        throw new BackupError(
          `拒绝恢复：当前 APP_KEY 与备份时使用的不同（备份指纹 ${manifest.keys.appKey}，当前 ${appKeyFingerprint()}）。用不同的 APP_KEY 恢复后，所有 SNMP 凭据都将无法解密、用户会话全部失效。请先在 .env 中填回备份时的 APP_KEY。`
        )
      }
      if (!audit.keyring.get(manifest.keys.auditKeyId)) {
        throw new BackupError(
          `拒绝恢复：当前 AUDIT_KEY 与备份时使用的不同（备份密钥编号 ${manifest.keys.auditKeyId}，当前 ${audit.keyring.currentId}）。没有原来的审计密钥，恢复后的审计日志无法校验。请在 .env 中设置原 AUDIT_KEY（或把它放进 AUDIT_PREVIOUS_KEYS）。`
        )
      }
      return { dir, manifest }
    } catch (error) {
      await rm(dir, { recursive: true, force: true })
      throw error
    }
  }

  /**
   * True when the application's tables hold no data (a freshly migrated or
   * empty database; the migration run itself may have left an audit event).
   */
  async databaseIsEmpty() {
    for (const table of ['users', 'projects', 'network_devices']) {
      try {
        const row = await db.from(table).count('* as total').first()
        if (Number(row?.total ?? 0) > 0) return false
      } catch {
        // table missing: empty
      }
    }
    return true
  }

  async restore(archive: string, progress: Progress = () => {}) {
    const { dir, manifest } = await this.open(archive, progress)
    try {
      const { name, config, client } = connectionInfo()
      if (manifest.database.client !== client) {
        throw new BackupError(
          `拒绝恢复：备份来自 ${manifest.database.client === 'sqlite' ? 'SQLite' : 'MySQL/MariaDB'} 数据库，当前配置的是 ${client === 'sqlite' ? 'SQLite' : 'MySQL/MariaDB'}。`
        )
      }
      if (!(await this.databaseIsEmpty())) {
        throw new BackupError(
          '拒绝恢复：目标数据库不是空的（已有用户、项目或设备）。请恢复到一个新建的空数据库。'
        )
      }

      progress('4/5 恢复数据库 (database)')
      const dump = join(dir, manifest.database.file)
      if (client === 'sqlite') {
        const target = config.connection.filename as string
        await db.manager.close(name)
        for (const suffix of ['', '-wal', '-shm', '-journal'])
          await rm(`${target}${suffix}`, { force: true })
        await cp(dump, target)
        db.manager.add(name, config)
      } else {
        const my = mysqlArgs(config)
        // drop the empty schema left by migrations, then load the dump
        const tables = await db.rawQuery('SHOW TABLES')
        const names = (tables[0] as any[]).map((row) => Object.values(row)[0] as string)
        if (names.length) {
          await db.rawQuery('SET FOREIGN_KEY_CHECKS = 0')
          for (const table of names) await db.rawQuery(`DROP TABLE \`${table}\``)
          await db.rawQuery('SET FOREIGN_KEY_CHECKS = 1')
        }
        await run('mysql', [...my.args, '--default-character-set=utf8mb4', my.database], {
          env: my.env,
          stdin: dump,
        })
      }

      progress('5/5 恢复附件 (files)')
      const storage = join(dir, 'storage')
      if (existsSync(storage)) await cp(storage, app.makePath('storage'), { recursive: true })

      const chain = await audit.verify()
      return { manifest, chain }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
}

const backups = new BackupService()
export default backups
