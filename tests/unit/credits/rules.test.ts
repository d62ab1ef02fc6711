import { describe, expect, it } from 'vitest'
import { checkCreditRuleSets, parseCreditRuleSet, ruleSetInForce, type CreditRuleSet } from '#app/domain/credits/rules.ts'
import { ruleFileText, ruleJson, shippedRuleSet } from './helpers.ts'

function parse(json: unknown, fileName = '2024.1.json') {
  return parseCreditRuleSet(JSON.stringify(json), fileName)
}

describe('credit rule files', () => {
  it('loads the shipped 2024.1 set with its Hubei 1 point per gram default', () => {
    const set = shippedRuleSet()
    expect(set.version).toBe('2024.1')
    expect(set.status).toBe('published')
    expect(set.effectiveFrom).toBe('2024-01-01')
    expect(set.fileName).toBe('2024.1.json')
    expect(set.expiry).toEqual({ rule: 'end_of_year', yearsAfterEarning: 1 })
    expect(Object.keys(set.actions).sort()).toEqual([
      'carton_returned',
      'original_packaging_chosen',
      'recyclable_box_chosen',
      'recyclable_box_returned',
      'reduced_packaging_chosen',
    ])
    for (const rule of Object.values(set.actions)) {
      expect(rule.pointsPerGram.toString()).toBe('1')
      expect(rule.rounding).toBe('floor')
    }
    expect(set.actions.carton_returned?.dailyCapPoints.toString()).toBe('500')
    expect(set.actions.carton_returned?.maxQuantityPerAward).toBe(20)
    expect(set.source.summary).toContain('湖北')
    expect(set.source.notVerified.length).toBeGreaterThan(0)
  })

  it('accepts a UTF-8 byte order mark', () => {
    expect(parseCreditRuleSet(`\uFEFF${ruleFileText}`, '2024.1.json').ok).toBe(true)
  })

  it('reports every problem with file and field, not just the first', () => {
    const json = ruleJson()
    json.actions.carton_returned.pointsPerGram = 1
    json.actions.recyclable_box_chosen.rounding = 'ceil'
    json.actions.reduced_packaging_chosen.dailyCapPoints = 0
    json.actions.original_packaging_chosen.maxQuantityPerAward = 2.5
    json.actions.bike_ridden = json.actions.recyclable_box_returned
    delete json.source.summary
    json.colour = 'green'
    const result = parse(json)
    expect(result.ok).toBe(false)
    if (result.ok) return
    const byField = Object.fromEntries(result.errors.map((error) => [error.field, error.key]))
    expect(byField).toEqual({
      'actions.carton_returned.pointsPerGram': 'credits.rules.error.decimalAsString',
      'actions.recyclable_box_chosen.rounding': 'credits.rules.error.roundingInvalid',
      'actions.reduced_packaging_chosen.dailyCapPoints': 'credits.rules.error.mustBePositive',
      'actions.original_packaging_chosen.maxQuantityPerAward': 'credits.rules.error.wholeNumber',
      'actions.bike_ridden': 'credits.rules.error.unknownAction',
      'source.summary': 'credits.rules.error.required',
      colour: 'credits.rules.error.unknownField',
    })
    expect(result.errors.every((error) => error.file === '2024.1.json')).toBe(true)
    expect(result.errors.find((error) => error.field === 'actions.bike_ridden')?.params).toEqual({ name: 'bike_ridden' })
  })

  it('refuses a rate that is not a positive decimal', () => {
    const json = ruleJson()
    json.actions.carton_returned.pointsPerGram = 'abc'
    json.actions.recyclable_box_chosen.pointsPerGram = '0'
    json.actions.reduced_packaging_chosen.pointsPerGram = '-1'
    const result = parse(json)
    expect(result.ok ? [] : result.errors.map((error) => [error.field, error.key])).toEqual([
      ['actions.carton_returned.pointsPerGram', 'credits.rules.error.decimalInvalid'],
      ['actions.recyclable_box_chosen.pointsPerGram', 'credits.rules.error.mustBePositive'],
      ['actions.reduced_packaging_chosen.pointsPerGram', 'credits.rules.error.decimalInvalid'],
    ])
  })

  it('refuses bad versions, dates, statuses, expiry rules and empty sources', () => {
    const json = ruleJson()
    json.version = '2024'
    json.effectiveFrom = '2024-02-30'
    json.status = 'live'
    json.expiry = { rule: 'never' }
    json.source.references = []
    json.actions = {}
    const result = parse(json)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.errors.map((error) => [error.field, error.key])).toEqual(
      expect.arrayContaining([
        ['version', 'credits.rules.error.versionInvalid'],
        ['effectiveFrom', 'credits.rules.error.dateInvalid'],
        ['status', 'credits.rules.error.statusInvalid'],
        ['expiry.rule', 'credits.rules.error.expiryRuleInvalid'],
        ['source.references', 'credits.rules.error.referenceRequired'],
        ['actions', 'credits.rules.error.noActions'],
      ]),
    )
  })

  it('refuses a file whose name does not match its version, and a file that is not JSON', () => {
    const renamed = parseCreditRuleSet(ruleFileText, 'factors/credit-rules/2025.1.json')
    expect(renamed).toEqual({
      ok: false,
      errors: [{ file: '2025.1.json', field: 'version', key: 'credits.rules.error.fileNameMismatch', params: { version: '2024.1' } }],
    })
    const broken = parseCreditRuleSet('{ "version": ', '2024.1.json')
    expect(broken.ok).toBe(false)
    if (!broken.ok) expect(broken.errors[0]).toMatchObject({ file: '2024.1.json', key: 'credits.rules.error.notJson' })
  })
})

describe('choosing the rule set in force', () => {
  function variant(version: string, status: CreditRuleSet['status'], effectiveFrom: string): CreditRuleSet {
    const json = ruleJson()
    Object.assign(json, { version, status, effectiveFrom })
    const result = parse(json, `${version}.json`)
    if (!result.ok) throw new Error(JSON.stringify(result.errors))
    return result.ruleSet
  }
  const sets = [
    variant('2023.1', 'retired', '2023-01-01'),
    variant('2024.1', 'published', '2024-01-01'),
    variant('2025.1', 'published', '2025-01-01'),
    variant('2025.2', 'draft', '2025-06-01'),
  ]

  it('takes the latest published set that started on or before the day', () => {
    expect(ruleSetInForce(sets, '2024-12-31')?.version).toBe('2024.1')
    expect(ruleSetInForce(sets, '2025-01-01')?.version).toBe('2025.1')
    // the draft starting 2025-06-01 is not in force yet
    expect(ruleSetInForce(sets, '2025-07-01')?.version).toBe('2025.1')
    // the retired 2023 set never applies to new awards
    expect(ruleSetInForce(sets, '2023-06-01')).toBeNull()
  })

  it('flags duplicate versions and two published sets starting the same day', () => {
    const errors = checkCreditRuleSets([
      ...sets,
      { ...variant('2025.3', 'published', '2025-01-01') },
      { ...variant('2024.1', 'draft', '2024-03-01'), fileName: 'copy/2024.1.json' },
    ])
    expect(errors.map((error) => [error.file, error.key])).toEqual([
      ['2025.3.json', 'credits.rules.error.sameEffectiveDate'],
      ['copy/2024.1.json', 'credits.rules.error.duplicateVersion'],
    ])
    expect(checkCreditRuleSets(sets)).toEqual([])
  })
})
