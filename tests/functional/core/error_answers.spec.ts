import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { createUser } from '#tests/helpers/identity'
import { issueApiToken } from '#tests/helpers/api_tokens'
import { assertNotIncludes } from '#tests/helpers/http'

async function apiToken() {
  const { secret } = await issueApiToken(['review:read'])
  return secret
}

/** JSON nested `depth` levels deep: {"a":{"a":…}}. */
function nested(depth: number) {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)
}

test.group('Error answers | request bodies', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('malformed JSON gets a plain 400 in Chinese, as JSON or as a page', async ({
    client,
    assert,
  }) => {
    const json = await client
      .post('/login')
      .header('content-type', 'application/json')
      .header('accept', 'application/json')
      .withCsrfToken()
      .json('{"username": "admin", ')
    json.assertStatus(400)
    assert.deepEqual(json.body(), { error: '提交的内容格式有误或嵌套过深，无法读取。' })

    const page = await client
      .post('/login')
      .header('content-type', 'application/json')
      .withCsrfToken()
      .json('{"username": ')
    page.assertStatus(400)
    page.assertTextIncludes('提交的内容格式有误或嵌套过深，无法读取。')
    assertNotIncludes(page, 'SyntaxError')
    assertNotIncludes(page, 'at JSON.parse')
  })

  test('deeply nested JSON gets the same 400, never a stack overflow', async ({
    assert,
    client,
  }) => {
    for (const depth of [200, 50_000]) {
      const response = await client
        .post('/login')
        .header('content-type', 'application/json')
        .header('accept', 'application/json')
        .withCsrfToken()
        .json(nested(depth))
      response.assertStatus(400)
      assert.deepEqual(response.body(), { error: '提交的内容格式有误或嵌套过深，无法读取。' })
    }
    const arrays = await client
      .post('/api/v1/projects')
      .header('content-type', 'application/json')
      .json('['.repeat(100_000) + ']'.repeat(100_000))
    assert.oneOf(arrays.status(), [400, 405])
    assertNotIncludes(arrays, 'Maximum call stack')
  })

  test('a 2 MB JSON body on /login says the request is too large, not the attachment limit', async ({
    client,
    assert,
  }) => {
    const big = JSON.stringify({ username: 'admin', password: 'x'.repeat(2 * 1024 * 1024) })
    const json = await client
      .post('/login')
      .header('content-type', 'application/json')
      .header('accept', 'application/json')
      .json(big)
    json.assertStatus(413)
    assert.deepEqual(json.body(), { error: '提交的内容过大，请精简后重试。' })
    const page = await client.post('/login').header('content-type', 'application/json').json(big)
    page.assertStatus(413)
    page.assertTextIncludes('提交的内容过大，请精简后重试。')
    assertNotIncludes(page, '20 MB')
  })

  test('an empty .csv import says the file is empty', async ({ client }) => {
    const netadmin = await createUser({ roles: ['netadmin'] })
    const response = await client
      .post('/monitoring/devices/import')
      .header('referer', '/monitoring/devices/import')
      .loginAs(netadmin)
      .file('file', Buffer.alloc(0), { filename: 'devices.csv' })
      .withCsrfToken()
    response.assertStatus(422)
    response.assertTextIncludes('文件是空的')
    assertNotIncludes(response, '只能导入 .csv 文件')
  })
})

test.group('Error answers | not logged in', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('a page asked for before login redirects to the login page with a Chinese message', async ({
    client,
    assert,
  }) => {
    const response = await client.get('/review/projects?year=2026').redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/login')
    response.assertFlashMessage('error', '请先登录，登录后将回到您要访问的页面。')
    assert.notInclude(JSON.stringify(response.flashMessages()), 'Unauthorized access')
  })

  test('a JSON request before login gets a 401 in Chinese', async ({ client, assert }) => {
    const response = await client.get('/monitoring/board.json').header('accept', 'application/json')
    response.assertStatus(401)
    assert.deepEqual(response.body(), { error: '未登录或登录已失效，请重新登录。' })
  })

  test('after logging in, the user lands on the page the link pointed to', async ({
    client,
    assert,
  }) => {
    const user = await createUser({ roles: ['reviewer'], password: 'Test#Passw0rd' })
    const asked = await client.get('/review/projects?year=2026&q=%E5%85%AC%E5%AE%89').redirects(0)
    asked.assertHeader('location', '/login')
    const login = await client
      .post('/login')
      .withSession(asked.session())
      .form({ username: user.username, password: 'Test#Passw0rd' })
      .withCsrfToken()
      .redirects(0)
    login.assertStatus(302)
    assert.equal(login.header('location'), '/review/projects?year=2026&q=%E5%85%AC%E5%AE%89')
  })

  test('without a requested page, or with a foreign one, login lands on the workbench', async ({
    client,
  }) => {
    const user = await createUser({ roles: ['reviewer'], password: 'Test#Passw0rd' })
    for (const intended of [
      undefined,
      '//evil.example/x',
      'https://evil.example/',
      '/\\evil.example',
    ]) {
      const login = await client
        .post('/login')
        .withSession(intended ? { 'redirect.intendedUrl': intended } : {})
        .form({ username: user.username, password: 'Test#Passw0rd' })
        .withCsrfToken()
        .redirects(0)
      login.assertStatus(302)
      login.assertHeader('location', '/')
    }
  })
})

test.group('Error answers | /api/v1 always answers JSON', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('a bad query gets 422 with field errors, whatever the Accept header', async ({
    client,
    assert,
  }) => {
    const secret = await apiToken()
    for (const accept of [undefined, 'text/html', '*/*']) {
      const request = client
        .get('/api/v1/projects?year=abc')
        .header('authorization', `Bearer ${secret}`)
        .redirects(0)
      if (accept) request.header('accept', accept)
      const response = await request
      response.assertStatus(422)
      assert.include(String(response.header('content-type')), 'application/json')
      assert.isUndefined(
        response.header('set-cookie'),
        JSON.stringify(response.header('set-cookie'))
      )
      const body = response.body() as { errors: { field: string; message: string }[] }
      assert.equal(body.errors[0].field, 'year')
      assert.isString(body.errors[0].message)
    }
  })

  test('no token: 401 JSON; unknown path: 404 JSON; other methods: 405 JSON', async ({
    client,
    assert,
  }) => {
    const secret = await apiToken()
    const anonymous = await client.get('/api/v1/projects').header('accept', 'text/html')
    anonymous.assertStatus(401)
    assert.include(String(anonymous.header('content-type')), 'application/json')
    assert.deepEqual(anonymous.body(), { error: '缺少或无效的接口令牌。' })

    const missing = await client
      .get('/api/v1/nothing-here')
      .header('authorization', `Bearer ${secret}`)
      .header('accept', 'text/html')
    missing.assertStatus(404)
    assert.include(String(missing.header('content-type')), 'application/json')
    assert.deepEqual(missing.body(), { error: '接口不存在。' })

    for (const method of ['post', 'put', 'delete'] as const) {
      const response = await client[method]('/api/v1/projects')
        .header('authorization', `Bearer ${secret}`)
        .header('accept', 'text/html')
      response.assertStatus(405)
      assert.include(String(response.header('content-type')), 'application/json')
      assert.deepEqual(response.body(), { error: '该接口只支持 GET 请求。' })
      assert.include(String(response.header('allow')), 'GET')
    }
  })
})
