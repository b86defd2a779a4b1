import { test } from '@japa/runner'
import vine, { errors as vineErrors } from '@vinejs/vine'
import { canonicalIp } from '#core/ip_address'
import { compactQuery } from '#core/list_filters'
import {
  hasForbiddenCharacters,
  ipAddress,
  singleLine,
  number,
  multiLine,
  uploadName,
} from '#core/validation'

const form = vine.create({
  quantity: number().withoutDecimals().min(1).optional(),
  score: number().decimal([0, 2]).optional(),
  title: singleLine().minLength(2).optional(),
  body: multiLine().optional(),
  ip: ipAddress().optional(),
})

async function rulesOf(data: Record<string, unknown>) {
  try {
    await form.validate(data)
    return []
  } catch (error) {
    if (!(error instanceof vineErrors.E_VALIDATION_ERROR)) throw error
    return (error.messages as { field: string; rule: string }[]).map((m) => `${m.field}:${m.rule}`)
  }
}

test.group('Input discipline | numbers are plain decimal digits', () => {
  for (const loose of ['1e2', '0x10', '1e1', ' 12abc', '0b11', 'Infinity', '1_000', '+5', '.5']) {
    test(`"${loose}" is refused as a number`, async ({ assert }) => {
      assert.deepEqual(await rulesOf({ quantity: loose }), ['quantity:number'])
    })
  }

  test('plain and full-width digits are accepted, empty means not given', async ({ assert }) => {
    assert.deepEqual(await form.validate({ quantity: '100', score: '12.5' }), {
      quantity: 100,
      score: 12.5,
    })
    assert.deepEqual(await form.validate({ quantity: '１２', score: '８．５' }), {
      quantity: 12,
      score: 8.5,
    })
    assert.deepEqual(await form.validate({ quantity: '  ' }), {})
    assert.deepEqual(await rulesOf({ quantity: ['5'] }), ['quantity:number'])
  })
})

test.group('Input discipline | control and bidi characters', () => {
  test('single-line text refuses NUL, other controls and bidi overrides', async ({ assert }) => {
    for (const bad of [
      'a\u0000',
      '\u0000\u0000',
      '报告\u202Efdp.exe',
      'x\u2066y',
      'a\tb',
      'a\nb',
    ]) {
      assert.deepEqual(await rulesOf({ title: bad }), ['title:controlCharacters'], bad)
    }
    assert.deepEqual(await form.validate({ title: '  县公安局  ' }), { title: '县公安局' })
  })

  test('multi-line text keeps line breaks and tabs but refuses the rest', async ({ assert }) => {
    assert.deepEqual(await form.validate({ body: '第一行\r\n第二行\t说明' }), {
      body: '第一行\r\n第二行\t说明',
    })
    assert.deepEqual(await rulesOf({ body: '正文\u202E' }), ['body:controlCharacters'])
    assert.isTrue(hasForbiddenCharacters('\u0007', true))
  })

  test('an upload name is kept in its true order without controls or folders', ({ assert }) => {
    assert.equal(uploadName('报告\u202Efdp.exe', 'x.pdf'), '报告fdp.exe')
    assert.equal(uploadName('..\\..\\etc/passwd\u0000.pdf', 'x.pdf'), 'passwd.pdf')
    assert.equal(uploadName('\u202E', 'x.pdf'), 'x.pdf')
    assert.equal(uploadName(null, 'x.pdf'), 'x.pdf')
  })
})

test.group('Input discipline | canonical IP addresses', () => {
  test('one spelling per address', ({ assert }) => {
    assert.equal(canonicalIp('::ffff:127.0.0.1'), '127.0.0.1')
    assert.equal(canonicalIp('::FFFF:7f00:1'), '127.0.0.1')
    // a zone index has no canonical form: returned as typed (the validator refuses it), no throw
    assert.equal(canonicalIp('fe80::1%eth0'), 'fe80::1%eth0')
    assert.equal(canonicalIp('0:0:0:0:0:0:0:1'), '::1')
    assert.equal(canonicalIp('2001:DB8:0:0:0:0:0:0A'), '2001:db8::a')
    assert.equal(canonicalIp(' 10.20.1.1 '), '10.20.1.1')
    assert.equal(canonicalIp('not-an-ip'), 'not-an-ip')
  })

  test('the validator stores the canonical form and still refuses non-addresses', async ({
    assert,
  }) => {
    assert.deepEqual(await form.validate({ ip: '::ffff:10.0.0.1' }), { ip: '10.0.0.1' })
    assert.deepEqual(await rulesOf({ ip: '10.20.1.256' }), ['ip:ipAddress'])
  })
})

test.group('List filters | empty fields', () => {
  test('empty and blank query fields are dropped, the rest kept', ({ assert }) => {
    assert.deepEqual(
      compactQuery({ q: '公安', state: '', year: '  ', unitId: '3', tags: ['', 'a'], none: [''] }),
      { q: '公安', unitId: '3', tags: ['a'] }
    )
  })
})
