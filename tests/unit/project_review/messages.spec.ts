import { test } from '@japa/runner'
import i18nManager from '@adonisjs/i18n/services/main'
import { errors } from '@vinejs/vine'
import { messages } from '@vinejs/vine/defaults'
import type { FieldContext } from '@vinejs/vine/types'
import { ReviewMessagesProvider } from '#project_review/validators/messages_provider'
import { proposalValidator } from '#project_review/validators/proposal_validators'

const CJK = /[\u4e00-\u9fff]/

function fieldNamed(name: string): FieldContext {
  return { name, wildCardPath: name } as unknown as FieldContext
}

test.group('Review validation messages', () => {
  test('every VineJS rule answers in Chinese with the field’s Chinese name', ({ assert }) => {
    const provider = new ReviewMessagesProvider(i18nManager.locale('zh-CN'))
    const meta = {
      min: 2,
      max: 9,
      size: 3,
      otherField: 'plannedStart',
      expectedValue: '2026-01-01',
    }
    for (const [rule, english] of Object.entries(messages)) {
      const message = provider.getMessage(english, rule, fieldNamed('plannedEnd'), meta)
      assert.match(message, CJK, `${rule}: "${message}"`)
      assert.notMatch(message, /\bThe\b|\bfield\b|\bmust\b/, `${rule}: "${message}"`)
    }
  })

  test('计划完工日期 before 计划开工日期 names both fields in Chinese', async ({ assert }) => {
    const provider = new ReviewMessagesProvider(i18nManager.locale('zh-CN'))
    try {
      await proposalValidator.validate(
        {
          title: '测试项目',
          year: 2026,
          category: 'new',
          plannedStart: '2026-06-01',
          plannedEnd: '2026-05-31',
        },
        { messagesProvider: provider }
      )
      assert.fail('the dates should be refused')
    } catch (error) {
      assert.instanceOf(error, errors.E_VALIDATION_ERROR)
      const { messages: found } = error as { messages: { field: string; message: string }[] }
      assert.deepEqual(
        found.map(({ field, message }) => [field, message]),
        [['plannedEnd', '计划完工日期不能早于计划开工日期。']]
      )
    }
  })
})
