import { describe, expect, it } from 'vitest'
import { computeMetric } from '#app/domain/metrics/compute.ts'
import { getMetric } from '#app/domain/metrics/definitions.ts'
import { applicableTargets } from '#app/domain/metrics/inheritance.ts'
import { parseTargetSetFile } from '#app/domain/metrics/targets.ts'
import { shippedTargetFiles, shippedTargetSets } from './shipped-targets.ts'

// Issue 13.6: the targets in force today (2026-12-07) load, validate and apply.

const today = '2026-12-07'

describe('targets in force today', () => {
  it('GB 43352-2023 loads and validates: 100% of packaging mass, in force 2024-06-01, with its source', () => {
    const file = shippedTargetFiles().find((f) => f.name === 'gb-43352-2023.json')!
    const parsed = parseTargetSetFile(file.text, file.name)
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
    expect(parsed.set.region).toBe('000000')
    expect(parsed.set.source).toMatchObject({ number: 'GB 43352-2023', date: '2023-11-27', issuer: '国家市场监督管理总局、国家标准化管理委员会' })
    expect(parsed.set.targets.map((t) => [t.metric, t.comparison, t.value.toString(), t.deadline, t.kind])).toEqual([
      ['gb43352_packaging_rate', '>=', '1', '2024-06-01', 'rate'],
    ])
  })

  it('a Shaoxing district today is bound by GB 43352, the outlet plastic phase-out and the same-city 10%, each standing after its date', () => {
    const applicable = applicableTargets('330602', shippedTargetSets(), today)
    const of = (metric: string) => applicable.find((a) => a.metric === metric)
    expect([of('gb43352_packaging_rate')?.set.id, of('gb43352_packaging_rate')?.deadlinePassed]).toEqual(['gb-43352-2023', true])
    expect([of('non_degradable_plastic_items')?.set.id, of('non_degradable_plastic_items')?.target.value.toString(), of('non_degradable_plastic_items')?.deadlinePassed]).toEqual([
      'spb-2022-plastic-phase-out',
      '0',
      true,
    ])
    expect([of('same_city_recyclable_packaging_rate')?.set.id, of('same_city_recyclable_packaging_rate')?.target.value.toString()]).toEqual(['ndrc-2023-packaging-action-plan', '0.1'])
  })

  it('the GB 43352 rate is the marked mass over all packaging mass: 96.5 kg of 100 kg is 96.5%, short of the 100% required', () => {
    const metric = getMetric('gb43352_packaging_rate')
    expect([metric.numerator, metric.denominator]).toEqual(['gb43352_packaging_mass_kg', 'packaging_mass_kg'])
    const value = computeMetric(metric, { gb43352_packaging_mass_kg: '96.5', packaging_mass_kg: '100' })
    expect(value.value?.toString()).toBe('0.965')
  })
})
