import type { V3Credentials } from '#network_monitoring/snmp/v3_transport'

/*
 * The demo's SNMPv3 device: `npm start`'s simulator serves it with this
 * authPriv user only (no community, like a hardened device) and the demo
 * seed registers it with the same settings, so the board shows a device
 * polled over USM. Demo keys, not secrets.
 */
export const DEMO_V3_DEVICE = 'xian-ips-01'

export const DEMO_V3_USER: V3Credentials = {
  username: 'shuzhi-v3',
  level: 'authPriv',
  authProtocol: 'sha256',
  authKey: 'Demo-Auth-Key-2026',
  privProtocol: 'aes',
  privKey: 'Demo-Priv-Key-2026',
}

/** Simulator option: device name → its v3 user. */
export const DEMO_V3_USERS: Record<string, V3Credentials> = { [DEMO_V3_DEVICE]: DEMO_V3_USER }
