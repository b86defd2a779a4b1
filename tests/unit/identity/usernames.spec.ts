import { test } from '@japa/runner'
import { lowerCaseRenames } from '#identity/usernames'
import { parseTrustProxy } from '#identity/trust_proxy'

test.group('Usernames are case-insensitively unique', () => {
  test('existing mixed-case names are lower-cased; a collision keeps its id', ({ assert }) => {
    const renames = lowerCaseRenames([
      { id: 1, username: 'Admin' },
      { id: 2, username: 'admin' },
      { id: 3, username: 'Zhang.San' },
      { id: 4, username: 'ADMIN' },
      { id: 5, username: 'reviewer' },
    ])
    assert.deepEqual(renames, [
      { id: 1, from: 'Admin', to: 'admin_1' },
      { id: 3, from: 'Zhang.San', to: 'zhang.san' },
      { id: 4, from: 'ADMIN', to: 'admin_4' },
    ])
  })

  test('a renamed name stays within 50 characters and unique', ({ assert }) => {
    const long = 'A'.repeat(50)
    const renames = lowerCaseRenames([
      { id: 7, username: 'a'.repeat(50) },
      { id: 8, username: long },
    ])
    assert.lengthOf(renames[0].to, 50)
    assert.notEqual(renames[0].to, 'a'.repeat(50))
    assert.isTrue(renames[0].to.endsWith('_8'))
  })
})

test.group('TRUST_PROXY', () => {
  test('nobody is trusted by default', ({ assert }) => {
    for (const value of [undefined, '', 'false']) {
      assert.isFalse(parseTrustProxy(value)('127.0.0.1', 0))
    }
  })

  test('addresses, ranges and keywords', ({ assert }) => {
    const trust = parseTrustProxy('10.0.0.5, 192.168.10.0/24, loopback, fd00::/8')
    assert.isTrue(trust('10.0.0.5', 0))
    assert.isFalse(trust('10.0.0.6', 0))
    assert.isTrue(trust('192.168.10.77', 0))
    assert.isTrue(trust('::ffff:127.0.0.1', 0))
    assert.isTrue(trust('::1', 0))
    assert.isTrue(trust('fd12::1', 0))
    assert.isFalse(trust('8.8.8.8', 0))
  })

  test('a hop count trusts the nearest proxies only', ({ assert }) => {
    const trust = parseTrustProxy('1')
    assert.isTrue(trust('8.8.8.8', 0))
    assert.isFalse(trust('8.8.8.8', 1))
  })

  test('a typo fails at boot', ({ assert }) => {
    assert.throws(() => parseTrustProxy('10.0.0.300'), /TRUST_PROXY/)
    assert.throws(() => parseTrustProxy('10.0.0.0/40'), /prefix/)
  })
})
