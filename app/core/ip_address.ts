import { isIP } from 'node:net'

const MAPPED_V4 = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/

/**
 * The one spelling of an IP address that is stored and compared: IPv4 in dotted decimal, IPv6
 * lower-case and compressed (RFC 5952), an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) as the
 * IPv4 address it reaches. Text that is not an IP address is returned trimmed, unchanged, for the
 * validator to refuse.
 */
export function canonicalIp(input: string): string {
  const value = input.trim()
  const version = isIP(value)
  if (version === 4) return value
  // a zone index (`fe80::1%eth0`) names an interface of the sender, not an address: no
  // canonical form, left as typed for the validator to refuse
  if (version !== 6 || value.includes('%')) return value
  const compressed = new URL(`http://[${value}]/`).hostname.slice(1, -1)
  const mapped = MAPPED_V4.exec(compressed)
  if (!mapped) return compressed
  const high = Number.parseInt(mapped[1], 16)
  const low = Number.parseInt(mapped[2], 16)
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.')
}
