import encryption from '@adonisjs/core/services/encryption'

/** Purpose bound into every sealed credential, so a ciphertext cannot be replayed elsewhere. */
const PURPOSE = 'snmp-credential'

/** Encrypts an SNMP secret with the app key (AES-256-GCM) for storage. */
export function sealSecret(plain: string): string {
  return encryption.encrypt(plain, undefined, PURPOSE)
}

/** Decrypts a stored secret; null when it cannot be read (e.g. the app key changed). */
export function openSecret(sealed: string | null): string | null {
  if (!sealed) return null
  return encryption.decrypt<string>(sealed, PURPOSE)
}
