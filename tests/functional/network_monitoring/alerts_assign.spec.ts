import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import type { ApiClient } from '@japa/api-client'
import AuditEvent from '#core/audit/audit_event'
import type User from '#identity/models/user'
import Alert from '#network_monitoring/models/alert'
import AlertEvent from '#network_monitoring/models/alert_event'
import { alertSink } from '#network_monitoring/alerts/contract'
import { createUser } from '#tests/helpers/identity'
import { createDevice, createSiteTree } from '#tests/helpers/network'
import { unreachable } from '#tests/helpers/alerts'

/**
 * Issue #11: an alert's 处理人. One netadmin assigns it to another: stored, on the timeline,
 * audited; assigning to someone who is not an active netadmin is refused in Chinese.
 */

function assign(client: ApiClient, by: User, alertId: number, assigneeId: number) {
  return client
    .post(`/monitoring/alerts/${alertId}/assign`)
    .header('referer', `/monitoring/alerts/${alertId}`)
    .loginAs(by)
    .form({ assigneeId })
    .withCsrfToken()
    .redirects(0)
}

test.group('告警中心 | assigning an alert', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('netadmin A assigns to netadmin B: stored, on the timeline, audited; others are refused in Chinese', async ({
    client,
    assert,
  }) => {
    const a = await createUser({ roles: ['netadmin'], fullName: '网管甲' })
    const b = await createUser({ roles: ['netadmin'], fullName: '网管乙' })
    const applicant = await createUser({ roles: ['applicant'], fullName: '申报人丙' })
    const retired = await createUser({ roles: ['netadmin'], fullName: '网管丁', isActive: false })
    const { town } = await createSiteTree()
    const device = await createDevice(town, { name: 'assign-rtr' })
    await alertSink().raise([unreachable(device)])
    const alert = await Alert.query().where('device_id', device.id).firstOrFail()
    assert.isNull(alert.assigneeId)

    const done = await assign(client, a, alert.id, b.id)
    done.assertStatus(302)
    await alert.refresh()
    assert.equal(alert.assigneeId, b.id)
    const event = await AlertEvent.query()
      .where('alert_id', alert.id)
      .where('type', 'assigned')
      .firstOrFail()
    assert.equal(event.actorId, a.id)
    assert.deepInclude(event.details!, { to: b.id, from: null })
    const audited = await AuditEvent.query()
      .where('action', 'like', 'alert.assign%')
      .where('actor_id', a.id)
      .firstOrFail()
    assert.equal(audited.targetId, String(alert.id))

    const page = await client.get(`/monitoring/alerts/${alert.id}`).loginAs(a)
    page.assertStatus(200)
    page.assertTextIncludes('网管乙')
    page.assertTextIncludes('指派')

    for (const wrong of [applicant, retired]) {
      const refused = await assign(client, a, alert.id, wrong.id)
      refused.assertStatus(302)
      assert.include(JSON.stringify(refused.flashMessages()), '只能指派给在用的网络管理员。')
      await alert.refresh()
      assert.equal(alert.assigneeId, b.id, `still B after trying ${wrong.fullName}`)
    }
    const assignedEvents = await AlertEvent.query()
      .where('alert_id', alert.id)
      .where('type', 'assigned')
    assert.lengthOf(assignedEvents, 1)
  })
})
