import { BlockList, isIP } from 'node:net'

export type TrustProxyFn = (address: string, distance: number) => boolean

const KEYWORDS: Record<string, Array<[string, number, 'ipv4' | 'ipv6']>> = {
  loopback: [
    ['127.0.0.0', 8, 'ipv4'],
    ['::1', 128, 'ipv6'],
  ],
  linklocal: [
    ['169.254.0.0', 16, 'ipv4'],
    ['fe80::', 10, 'ipv6'],
  ],
  uniquelocal: [
    ['10.0.0.0', 8, 'ipv4'],
    ['172.16.0.0', 12, 'ipv4'],
    ['192.168.0.0', 16, 'ipv4'],
    ['fc00::', 7, 'ipv6'],
  ],
}

/**
 * Reads TRUST_PROXY into the http server's trustProxy function (which
 * decides whose X-Forwarded-For is believed for `request.ip()`):
 * empty/`false` trusts nobody (the default), `true` everyone, a number N the
 * nearest N hops, otherwise a comma list of addresses, CIDR ranges and the
 * keywords loopback, linklocal, uniquelocal (e.g. `10.0.0.5,loopback`).
 * Throws on an entry it cannot read, so a typo fails at boot.
 */
export function parseTrustProxy(value: string | undefined): TrustProxyFn {
  const text = (value ?? '').trim().toLowerCase()
  if (text === '' || text === 'false') return () => false
  if (text === 'true') return () => true
  if (/^\d+$/.test(text)) {
    const hops = Number(text)
    return (_address, distance) => distance < hops
  }
  const list = new BlockList()
  for (const raw of text.split(',')) {
    const entry = raw.trim()
    if (!entry) continue
    if (KEYWORDS[entry]) {
      for (const [net, prefix, type] of KEYWORDS[entry]) list.addSubnet(net, prefix, type)
      continue
    }
    const [address, prefixText] = entry.split('/')
    const version = isIP(address)
    if (!version) throw new Error(`TRUST_PROXY: "${entry}" is not an IP address or range`)
    const type = version === 4 ? 'ipv4' : 'ipv6'
    if (prefixText === undefined) {
      list.addAddress(address, type)
      continue
    }
    const prefix = Number(prefixText)
    if (!/^\d+$/.test(prefixText) || prefix > (version === 4 ? 32 : 128)) {
      throw new Error(`TRUST_PROXY: "${entry}" has a bad prefix length`)
    }
    list.addSubnet(address, prefix, type)
  }
  return (address) => {
    const plain = address.startsWith('::ffff:') ? address.slice(7) : address
    const version = isIP(plain)
    if (!version) return false
    return list.check(plain, version === 4 ? 'ipv4' : 'ipv6')
  }
}
