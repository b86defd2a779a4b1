/**
 * `npm start`: the zero-setup path for a fresh machine. Creates .env with a
 * fresh APP_KEY when missing, migrates the database (embedded SQLite unless
 * .env says otherwise), seeds demo data when the database is empty, prints
 * the demo logins and serves on http://localhost:3333.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))
const envPath = `${root}.env`

if (!existsSync(envPath)) {
  const example = readFileSync(`${root}.env.example`, 'utf8')
  const key = randomBytes(32).toString('base64url')
  writeFileSync(envPath, example.replace(/^APP_KEY=.*$/m, `APP_KEY=${key}`))
  console.log('[数治] .env created with a fresh APP_KEY')
}

// The audit trail's HMAC key (separate from APP_KEY; README "等保"). An older
// .env without one gets a fresh key appended.
const envText = readFileSync(envPath, 'utf8')
if (!/^AUDIT_KEY=\S+/m.test(envText)) {
  const key = randomBytes(32).toString('base64url')
  writeFileSync(
    envPath,
    /^AUDIT_KEY=.*$/m.test(envText)
      ? envText.replace(/^AUDIT_KEY=.*$/m, `AUDIT_KEY=${key}`)
      : `${envText.replace(/\n?$/, '\n')}AUDIT_KEY=${key}\n`
  )
  console.log('[数治] AUDIT_KEY generated in .env (keep a copy apart from database backups)')
}

function ace(...args) {
  const result = spawnSync(process.execPath, ['ace', ...args], { cwd: root, stdio: 'inherit' })
  if (result.status !== 0) {
    console.error(`[数治] "node ace ${args.join(' ')}" failed (exit ${result.status})`)
    process.exit(result.status ?? 1)
  }
}

ace('migration:run', '--force')
ace('demo:seed', '--if-empty')

process.env.TZ = 'UTC'
await import('@poppinss/ts-exec')
await import('./server.js')
