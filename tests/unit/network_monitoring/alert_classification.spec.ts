import { test } from '@japa/runner'
import { readFileSync } from 'node:fs'
import {
  CATEGORIES,
  SUBCATEGORY_CODES,
  categoryOf,
  gradeFor,
  isFaultCategory,
  mapVendorType,
  normaliseSubcategory,
} from '#network_monitoring/alerts/classification'

type Names = { categories: Record<string, string>; subcategories: Record<string, string> }
const lang = (locale: string): Names =>
  JSON.parse(readFileSync(`resources/lang/${locale}/alerts.json`, 'utf8'))
const zh = lang('zh-CN')
const en = lang('en')

test.group('GB/T 20986-2023 classification', () => {
  test('the ten categories of §5.2 each have sub-categories with Chinese and English names', ({
    assert,
  }) => {
    assert.lengthOf(CATEGORIES, 10)
    assert.equal(CATEGORIES[0].section, '5.2.1')
    assert.equal(CATEGORIES[9].section, '5.2.10')
    for (const category of CATEGORIES) {
      assert.property(zh.categories, category.code)
      assert.property(en.categories, category.code)
    }
    for (const code of SUBCATEGORY_CODES) {
      assert.property(zh.subcategories, code)
      assert.property(en.subcategories, code)
    }
    assert.equal(new Set(SUBCATEGORY_CODES).size, SUBCATEGORY_CODES.length)
    assert.equal(zh.categories.malware, '恶意程序事件')
    assert.equal(zh.subcategories.trojan, '特洛伊木马事件')
  })

  test('vendor types map onto sub-categories; the seeds’ wording is understood', ({ assert }) => {
    assert.equal(mapVendorType('木马病毒'), 'trojan')
    assert.equal(mapVendorType('Trojan.Win32.Agent'), 'trojan')
    assert.equal(mapVendorType('安装恶意软件'), 'malware_other')
    assert.equal(mapVendorType('勒索病毒'), 'ransomware')
    assert.equal(mapVendorType('WannaCry ransomware'), 'ransomware')
    assert.equal(mapVendorType('DDoS'), 'denial_of_service')
    assert.equal(mapVendorType('port scan'), 'scan_eavesdrop')
    assert.equal(mapVendorType('trojan'), 'trojan')
    assert.equal(mapVendorType('malware'), 'malware_other')
    assert.equal(mapVendorType('data_security'), 'data_security_other')
  })

  test('an unknown type becomes 其他 (other), never dropped', ({ assert }) => {
    assert.equal(mapVendorType('quantum-foo'), 'other')
    assert.equal(mapVendorType(''), 'other')
    assert.equal(mapVendorType(null), 'other')
    assert.equal(normaliseSubcategory('not-a-code'), 'other')
    assert.equal(categoryOf('not-a-code').code, 'other_event')
  })

  test('faults resolve on their own, threats wait for a human', ({ assert }) => {
    assert.isTrue(isFaultCategory('software_hardware_fault'))
    assert.isFalse(isFaultCategory('trojan'))
    assert.isFalse(isFaultCategory('other'))
  })
})

test.group('Grade (特别重大 I … 一般 IV)', () => {
  const base = { subcategory: 'software_hardware_fault', sites: 1, durationMinutes: 0 } as const

  test('a village switch down for a moment is 一般 IV; a critical device is 较大 III', ({
    assert,
  }) => {
    assert.equal(gradeFor({ ...base, criticality: 'normal' }), 4)
    assert.equal(gradeFor({ ...base, criticality: 'important' }), 4)
    assert.equal(gradeFor({ ...base, criticality: 'critical' }), 3)
  })

  test('scope raises the grade: 10 sites III, 30 sites II, 200 sites I', ({ assert }) => {
    assert.equal(gradeFor({ ...base, criticality: 'normal', sites: 9 }), 4)
    assert.equal(gradeFor({ ...base, criticality: 'normal', sites: 10 }), 3)
    assert.equal(gradeFor({ ...base, criticality: 'normal', sites: 30 }), 2)
    assert.equal(gradeFor({ ...base, criticality: 'normal', sites: 200 }), 1)
    assert.equal(gradeFor({ ...base, criticality: 'normal', sites: 100, durationMinutes: 1440 }), 1)
  })

  test('duration raises the grade: 4 h → III, a critical device down a day → II', ({ assert }) => {
    assert.equal(gradeFor({ ...base, criticality: 'normal', durationMinutes: 239 }), 4)
    assert.equal(gradeFor({ ...base, criticality: 'normal', durationMinutes: 240 }), 3)
    assert.equal(gradeFor({ ...base, criticality: 'critical', durationMinutes: 1440 }), 2)
  })

  test('a trojan on an ordinary PC is IV; ransomware is at least III, II on a critical device', ({
    assert,
  }) => {
    assert.equal(gradeFor({ ...base, subcategory: 'trojan', criticality: 'normal' }), 4)
    assert.equal(gradeFor({ ...base, subcategory: 'ransomware', criticality: 'normal' }), 3)
    assert.equal(gradeFor({ ...base, subcategory: 'ransomware', criticality: 'critical' }), 2)
    assert.equal(gradeFor({ ...base, subcategory: 'trojan', criticality: null }), 4)
  })
})
