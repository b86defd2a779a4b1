import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import Alert from '#network_monitoring/models/alert'
import { alertSink } from '#network_monitoring/alerts/contract'
import { LOOKUP_CHUNK, lookupAlerts } from '#network_monitoring/duty/alert_lookup'
import { createDevice, createSiteTree } from '#tests/helpers/network'
import { threat, unreachable } from '#tests/helpers/alerts'

test.group('告警通知 | alert lookup for mails', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('a mail names the alert, its device and site; a storm digest reads its alerts in slices', async ({
    assert,
  }) => {
    const { town } = await createSiteTree()
    const device = await createDevice(town, { criticality: 'critical' })
    const count = LOOKUP_CHUNK * 2 + 5
    await alertSink().raise([
      unreachable(device),
      ...Array.from({ length: count - 1 }, (_, i) =>
        threat(`lookup-${i}`, { conditionKey: `platform:trojan:10.9.${i >> 8}.${i & 255}` })
      ),
    ])
    const stored = await Alert.query().select('id').orderBy('id')
    const ids = stored.map((alert) => alert.id)
    assert.lengthOf(ids, count)
    const fault = await Alert.query().where('device_id', device.id).firstOrFail()

    let slices = 1
    const infos = await lookupAlerts([...ids, fault.id, 999_999], {
      breathe: async () => {
        slices++
      },
    })
    assert.equal(slices, 3, 'three slices of at most LOOKUP_CHUNK alerts, a turn between them')
    assert.equal(infos.size, count, 'every stored alert once; an unknown id is left out')
    assert.deepEqual(infos.get(fault.id), {
      id: fault.id,
      grade: 3,
      title: `${device.name} 无法访问（连续 2 次轮询失败）`,
      status: 'open',
      deviceName: device.name,
      siteName: town.name,
      occurredAt: fault.firstSeenAt.toJSDate(),
    })
    const pushed = infos.get(ids.find((id) => id !== fault.id)!)!
    assert.equal(pushed.title, '检测到木马病毒外联')
    assert.isNull(pushed.deviceName ?? null)
    assert.isNull(pushed.siteName ?? null)
    assert.equal(pushed.status, 'open')
  })
})
