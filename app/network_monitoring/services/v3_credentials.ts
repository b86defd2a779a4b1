import { openSecret } from '#network_monitoring/services/credentials'
import {
  normalisePriv,
  V3_AUTH,
  type V3AuthProtocol,
  type V3Credentials,
} from '#network_monitoring/snmp/v3_transport'

export interface V3CredentialRow {
  v3_username: string | null
  v3_security_level: string | null
  v3_auth_protocol: string | null
  v3_auth_key_encrypted: string | null
  v3_priv_protocol: string | null
  v3_priv_key_encrypted: string | null
}

/**
 * The USM credentials of a stored v3 device, keys decrypted; null when a key
 * the security level needs cannot be decrypted (APP_KEY changed). Missing
 * settings are passed on as they are: the poll then fails with
 * E_SNMP_V3_CONFIG, shown on the device page.
 */
export function v3CredentialsOf(row: V3CredentialRow): V3Credentials | null {
  const level = (row.v3_security_level ?? 'noAuthNoPriv') as V3Credentials['level']
  const authKey = openSecret(row.v3_auth_key_encrypted)
  const privKey = openSecret(row.v3_priv_key_encrypted)
  if (level !== 'noAuthNoPriv' && row.v3_auth_key_encrypted && authKey === null) return null
  if (level === 'authPriv' && row.v3_priv_key_encrypted && privKey === null) return null
  const auth = row.v3_auth_protocol
  return {
    username: row.v3_username ?? '',
    level,
    authProtocol:
      auth && V3_AUTH.includes(auth as V3AuthProtocol) ? (auth as V3AuthProtocol) : null,
    authKey,
    privProtocol: normalisePriv(row.v3_priv_protocol),
    privKey,
  }
}
