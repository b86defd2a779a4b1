import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { PEERS, missingLine, suitesToRun } from '../../../bin/test_peers.js'

const root = app.appRoot.pathname

test.group('npm test peers', () => {
  test('the peers checked follow the suites the runner will run', ({ assert }) => {
    assert.sameMembers([...suitesToRun([], root)], ['integration', 'browser'])
    assert.sameMembers([...suitesToRun(['unit', 'functional'], root)], [])
    assert.sameMembers([...suitesToRun(['browser'], root)], ['browser'])
    assert.sameMembers([...suitesToRun(['--files', 'core/db_writers.spec.ts'], root)], [])
    assert.sameMembers(
      [...suitesToRun(['--files=snmp/real_agents.spec.ts'], root)],
      ['integration']
    )
    assert.sameMembers([...suitesToRun(['--files', 'login.spec.ts'], root)], ['browser'])
  })

  test('a missing peer is named in one Chinese + English line with the exact apt command', ({
    assert,
  }) => {
    const missing = PEERS.filter((peer) => peer.name !== 'chromium')
    const asUser = missingLine(missing, false)
    assert.notInclude(asUser, '\n')
    assert.include(asUser, '测试缺少 snmpd、snmpsimd')
    assert.include(asUser, 'sudo apt-get install -y snmpd snmpsim')
    assert.include(
      asUser,
      'Tests need snmpd, snmpsimd; install with: sudo apt-get install -y snmpd snmpsim'
    )
    assert.include(missingLine(missing, true), '请先运行：apt-get install -y snmpd snmpsim ｜')
  })
})
