import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import AuditEvent from '#core/audit/audit_event'
import { createUser } from '#tests/helpers/identity'
import { loadRulesConfig } from '#network_monitoring/alerts/rules/db_rule_backend'

const PAGE = '/monitoring/alert-rules'

function rule(key: string, fields: Record<string, string>) {
  return { _rule: key, ...fields }
}

test.group('Alert rules | settings page', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('the netadmin sees every rule with its defaults and the threat counter map', async ({
    client,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const page = await client.get(PAGE).loginAs(admin)
    page.assertStatus(200)
    for (const name of [
      '设备不可达',
      '设备重启',
      '接口中断',
      '带宽利用率过高',
      '接口错包/丢包',
      'CPU 负载过高',
      '流量异常',
      '威胁计数',
    ]) {
      page.assertTextIncludes(name)
    }
    page.assertTextIncludes('name="failures" value="2"')
    page.assertTextIncludes('范围 1–20，整数')
    page.assertTextIncludes('1.3.6.1.4.1.32473.20.1.2')
    page.assertTextIncludes('特洛伊木马事件')
  })

  test('a value out of range is refused with a Chinese field error and nothing is stored', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const refused = await client
      .put(`${PAGE}/rules/unreachable`)
      .header('referer', PAGE)
      .loginAs(admin)
      .form(rule('unreachable', { enabled: '1', failures: '0' }))
      .withCsrfToken()
    refused.assertTextIncludes('连续失败次数不能小于 1。')
    const decimals = await client
      .put(`${PAGE}/rules/utilisation`)
      .header('referer', PAGE)
      .loginAs(admin)
      .form(rule('utilisation', { enabled: '1', thresholdPercent: '150', samples: '2.5' }))
      .withCsrfToken()
    decimals.assertTextIncludes('阈值不能大于 100。')
    decimals.assertTextIncludes('持续采样数必须是整数。')
    const [{ n }] = await db.from('alert_rule_settings').count('* as n')
    assert.equal(Number(n), 0)
    const config = await loadRulesConfig()
    assert.equal(config.unreachable.values.failures, 2)
    assert.isNull(await AuditEvent.query().where('action', 'alert_rules.update').first())
  })

  test('a valid change is stored, used by the rules and audited with before and after', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const response = await client
      .put(`${PAGE}/rules/unreachable`)
      .header('referer', PAGE)
      .loginAs(admin)
      .form(rule('unreachable', { enabled: '1', failures: '3' }))
      .withCsrfToken()
      .redirects(0)
    response.assertHeader('location', `${PAGE}#rule-unreachable`)
    const config = await loadRulesConfig()
    assert.equal(config.unreachable.values.failures, 3)
    assert.isTrue(config.unreachable.enabled)
    const event = await AuditEvent.query().where('action', 'alert_rules.update').firstOrFail()
    assert.equal(event.actorId, admin.id)
    assert.include(event.details, '"failures":3')
    assert.include(event.details, '"failures":2')

    // unticked: the rule is switched off
    await client
      .put(`${PAGE}/rules/cpu`)
      .header('referer', PAGE)
      .loginAs(admin)
      .form(rule('cpu', { thresholdPercent: '85', samples: '5' }))
      .withCsrfToken()
    const after = await loadRulesConfig()
    assert.isFalse(after.cpu.enabled)
    assert.deepEqual(after.cpu.values, { thresholdPercent: 85, samples: 5 })
    const page = await client.get(PAGE).loginAs(admin)
    page.assertTextIncludes('name="failures" value="3"')
  })

  test('saving a rule unchanged writes no audit row and says 未作修改', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const response = await client
      .put(`${PAGE}/rules/utilisation`)
      .header('referer', PAGE)
      .loginAs(admin)
      .form(rule('utilisation', { enabled: '1', thresholdPercent: '90', samples: '3' }))
      .withCsrfToken()
    response.assertTextIncludes('未作修改')
    assert.lengthOf(await AuditEvent.query().where('action', 'alert_rules.update'), 0)
  })

  test('the auditor reads the rules but cannot change them (403); others cannot even read', async ({
    client,
    assert,
  }) => {
    const auditor = await createUser({ roles: ['auditor'] })
    const page = await client.get(PAGE).loginAs(auditor)
    page.assertStatus(200)
    page.assertTextIncludes('只有网络管理员或系统管理员可以修改')
    const put = await client
      .put(`${PAGE}/rules/unreachable`)
      .loginAs(auditor)
      .form(rule('unreachable', { enabled: '1', failures: '5' }))
      .withCsrfToken()
    put.assertStatus(403)
    const config = await loadRulesConfig()
    assert.equal(config.unreachable.values.failures, 2)

    const applicant = await createUser({ roles: ['applicant'] })
    const refused = await client.get(PAGE).loginAs(applicant)
    refused.assertStatus(403)
  })

  test('a threat counter is added to the map (audited); a malformed OID is refused', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    const bad = await client
      .post(`${PAGE}/counters`)
      .header('referer', PAGE)
      .loginAs(admin)
      .form({ counterOid: '1.3.6.x', label: 'hwVirus', category: 'computer_virus' })
      .withCsrfToken()
    bad.assertTextIncludes('计数器 OID应为点分数字格式的 OID')

    await client
      .post(`${PAGE}/counters`)
      .header('referer', PAGE)
      .loginAs(admin)
      .form({
        counterOid: '1.3.6.1.4.1.2011.6.122.26.1.1',
        label: 'hwSecStatVirusCount',
        category: 'computer_virus',
        vendorOid: '1.3.6.1.4.1.2011',
      })
      .withCsrfToken()
    const row = await db
      .from('alert_threat_counters')
      .where('counter_oid', '1.3.6.1.4.1.2011.6.122.26.1.1')
      .firstOrFail()
    assert.equal(row.vendor_oid, '1.3.6.1.4.1.2011')
    assert.equal(row.category, 'computer_virus')
    assert.isNotNull(await AuditEvent.query().where('action', 'alert_rules.counter_create').first())

    const again = await client
      .post(`${PAGE}/counters`)
      .header('referer', PAGE)
      .loginAs(admin)
      .form({
        counterOid: '1.3.6.1.4.1.2011.6.122.26.1.1',
        label: 'dup',
        category: 'trojan',
        vendorOid: '1.3.6.1.4.1.2011',
      })
      .withCsrfToken()
    again.assertTextIncludes('该厂商前缀下已有此计数器 OID')
  })
})
