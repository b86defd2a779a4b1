import { test } from '@japa/runner'
import { passwordPolicyViolation } from '#identity/password_policy'
import { findRoleConflict } from '#identity/roles'

test.group('Password policy', () => {
  test('accepts a long password with three character classes', ({ assert }) => {
    assert.isNull(passwordPolicyViolation('Spring#2026x', 'wang'))
    assert.isNull(passwordPolicyViolation('spring#2026x', 'wang'))
  })

  test('refuses short, simple, or username-containing passwords', ({ assert }) => {
    assert.equal(passwordPolicyViolation('Ab#1234', 'wang'), 'password.too_short')
    assert.equal(passwordPolicyViolation('abcdefghijk', 'wang'), 'password.too_simple')
    assert.equal(passwordPolicyViolation('abcdefgh1234', 'wang'), 'password.too_simple')
    assert.equal(passwordPolicyViolation('Wangwei#2026', 'wangwei'), 'password.contains_username')
  })
})

test.group('Separation of duties', () => {
  test('auditor, sysadmin and netadmin are never combined', ({ assert }) => {
    assert.deepEqual(findRoleConflict(['auditor', 'sysadmin']), ['auditor', 'sysadmin'])
    assert.deepEqual(findRoleConflict(['netadmin', 'sysadmin']), ['sysadmin', 'netadmin'])
    assert.deepEqual(findRoleConflict(['netadmin', 'auditor']), ['auditor', 'netadmin'])
  })

  test('the sysadmin never scores and the auditor holds no other role', ({ assert }) => {
    assert.isNotNull(findRoleConflict(['sysadmin', 'expert']))
    assert.isNotNull(findRoleConflict(['auditor', 'reviewer']))
  })

  test('compatible roles are allowed', ({ assert }) => {
    assert.isNull(findRoleConflict(['reviewer', 'expert']))
    assert.isNull(findRoleConflict(['netadmin', 'reviewer']))
    assert.isNull(findRoleConflict(['sysadmin']))
  })
})
