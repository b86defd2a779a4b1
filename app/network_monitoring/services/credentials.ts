import encryption from '@adonisjs/core/services/encryption'

/** Purpose bound into every sealed credential, so a ciphertext cannot be replayed elsewhere. */
const PURPOSE = 'snmp-credential'

/** Encrypts an SNMP secret with the app key (AES-256-GCM) for storage. */
export function sealSecret(plain: string): string {
  return encryption.encrypt(plain, undefined, PURPOSE)
}

/**
 * Opened secrets by ciphertext: the poller reloads every device each tick and
 * decrypting 10,000 communities a minute is measurable main-thread time. The
 * same ciphertext always opens to the same value under one app key.
 */
const opened = new Map<string, string | null>()
const OPENED_MAX = 100_000

/** Decrypts a stored secret; null when it cannot be read (e.g. the app key changed). */
export function openSecret(sealed: string | null): string | null {
  if (!sealed) return null
  const known = opened.get(sealed)
  if (known !== undefined) return known
  const value = encryption.decrypt<string>(sealed, PURPOSE)
  if (opened.size >= OPENED_MAX) opened.clear()
  opened.set(sealed, value)
  return value
}
