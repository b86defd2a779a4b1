import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  createHash,
  type KeyObject,
} from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/**
 * A signed statement of the audit chain's state at one moment, kept outside the
 * database (like CloudTrail's digest files): whoever can write the database
 * cannot write or sign these, so truncation, wipe and recompute become visible.
 */
export interface CheckpointPayload {
  v: 1
  time: string
  /** Id and hash of the newest event at the time. */
  lastId: number | null
  lastHash: string
  /** Events from the anchor to lastId. */
  count: number
  /** The retention anchor (hash the oldest kept row follows). */
  anchorId: number | null
  anchorHash: string
  keyId: string
  reason: string
  operator: string
}

export interface Checkpoint {
  file: string
  payload: CheckpointPayload
}

export type CheckpointScan =
  { ok: true; newest: Checkpoint | null; total: number } | { ok: false; badFile: string }

/** Loads (or, on first use, creates) the Ed25519 key that signs checkpoints. */
export async function loadSigningKey(inline: string | undefined, file: string) {
  if (inline) return createPrivateKey(inline.replaceAll('\\n', '\n'))
  if (existsSync(file)) return createPrivateKey(await readFile(file, 'utf8'))
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  await mkdir(dirname(file), { recursive: true, mode: 0o700 })
  await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 })
  await writeFile(`${file}.pub`, publicKey.export({ type: 'spki', format: 'pem' }), {
    mode: 0o644,
  })
  return privateKey
}

export async function loadVerifyKey(
  file: string | undefined,
  signingKey: () => Promise<KeyObject>
) {
  if (file) return createPublicKey(await readFile(file, 'utf8'))
  return createPublicKey(await signingKey())
}

/** Short fingerprint of a public key, printed by verify and in backup manifests. */
export function publicKeyFingerprint(key: KeyObject) {
  const der = (key.type === 'private' ? createPublicKey(key) : key).export({
    type: 'spki',
    format: 'der',
  })
  return createHash('sha256').update(der).digest('hex').slice(0, 16)
}

export async function writeCheckpoint(
  dir: string,
  privateKey: KeyObject,
  payload: CheckpointPayload
) {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const body = JSON.stringify(payload)
  const signature = sign(null, Buffer.from(body), privateKey).toString('base64')
  const stamp = payload.time.replace(/[-:.]/g, '')
  const name = `checkpoint-${stamp}-${payload.lastId ?? 0}.json`
  const file = join(dir, name)
  const tmp = `${file}.tmp`
  await writeFile(
    tmp,
    JSON.stringify({ payload: body, signature, signer: publicKeyFingerprint(privateKey) }) + '\n',
    { mode: 0o600 }
  )
  await rename(tmp, file)
  await chmod(file, 0o444)
  return { file, payload }
}

function newer(a: CheckpointPayload, b: CheckpointPayload) {
  if (a.time !== b.time) return a.time > b.time
  return (a.lastId ?? 0) > (b.lastId ?? 0)
}

/**
 * Reads every checkpoint file, checks every signature (one bad signature is a
 * forgery and fails the scan) and returns the newest.
 */
export async function scanCheckpoints(dir: string, publicKey: KeyObject): Promise<CheckpointScan> {
  if (!existsSync(dir)) return { ok: true, newest: null, total: 0 }
  const entries = await readdir(dir)
  const names = entries.filter((n) => n.startsWith('checkpoint-') && n.endsWith('.json'))
  let newest: Checkpoint | null = null
  for (const name of names) {
    const file = join(dir, name)
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8'))
      const good = verify(
        null,
        Buffer.from(String(parsed.payload)),
        publicKey,
        Buffer.from(String(parsed.signature), 'base64')
      )
      if (!good) return { ok: false, badFile: name }
      const payload = JSON.parse(parsed.payload) as CheckpointPayload
      if (!newest || newer(payload, newest.payload)) newest = { file, payload }
    } catch {
      return { ok: false, badFile: name }
    }
  }
  return { ok: true, newest, total: names.length }
}
