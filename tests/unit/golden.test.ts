import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { costActivity, type CostInput } from '#app/domain/emissions/costing.ts'
import type { FactorSet } from '#app/domain/factors/factor-set.ts'
import { loadFactorSetFromDisk } from '../../scripts/lib/factor-files.ts'

// Golden cases as data (tests/golden/README.md): every file of every calculator folder.
const root = path.resolve(import.meta.dirname, '../golden')

interface GoldenCase {
  description: string
  computation: string
  factorSet: string
  input: Record<string, unknown>
  expected:
    | {
        ok: true
        category?: string
        method?: string
        co2eKg?: string
        avoidedCo2eKg?: string
        ttwKg?: string | null
        wttKg?: string | null
        electricityKg?: string | null
        dataQuality?: number
        factorIds?: string[]
        fallbacks?: { factorId: string; kinds: string[]; level: string; year: number }[]
        omissions?: { part: string; quantity: string }[]
      }
    | { ok: false; error: { key: string; params?: Record<string, unknown> } }
}

const calculators = readdirSync(root, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort()

const sets = new Map<string, Promise<FactorSet>>()
function factorSet(version: string): Promise<FactorSet> {
  let set = sets.get(version)
  if (!set) {
    set = loadFactorSetFromDisk(version).then((r) => {
      if (!r.ok) throw new Error(r.errors.map(String).join('\n'))
      return r.set
    })
    sets.set(version, set)
  }
  return set
}

it('has golden cases for each calculator, failures included', () => {
  expect(calculators).toEqual(['avoided', 'facility', 'fleet', 'packaging'])
  for (const calculator of calculators) {
    const cases = readdirSync(path.join(root, calculator)).map((f) => JSON.parse(readFileSync(path.join(root, calculator, f), 'utf8')) as GoldenCase)
    expect(cases.some((c) => c.expected.ok)).toBe(true)
    expect(cases.some((c) => !c.expected.ok)).toBe(true)
  }
})

for (const calculator of calculators) {
  describe(calculator, () => {
    for (const file of readdirSync(path.join(root, calculator)).filter((f) => f.endsWith('.json')).sort()) {
      const golden = JSON.parse(readFileSync(path.join(root, calculator, file), 'utf8')) as GoldenCase
      it(`${file}: ${golden.description}`, async () => {
        const set = await factorSet(golden.factorSet)
        const input = { recordId: '1', outletId: 1, ...golden.input } as unknown as CostInput
        const outcome = costActivity(set, input)
        const expected = golden.expected
        if (!expected.ok) {
          expect(outcome.ok).toBe(false)
          if (outcome.ok) return
          expect(outcome.error.key).toBe(expected.error.key)
          if (expected.error.params) expect(outcome.error.params).toEqual(expected.error.params)
          return
        }
        if (!outcome.ok) throw new Error(`expected a result, got ${JSON.stringify(outcome.error)}`)
        const r = outcome.record
        const text = (d: { toFixed(): string } | null) => (d === null ? null : d.toFixed())
        const actual = {
          category: r.category,
          method: r.method,
          co2eKg: text(r.co2eKg),
          avoidedCo2eKg: text(r.avoidedCo2eKg),
          ttwKg: text(r.ttwKg),
          wttKg: text(r.wttKg),
          electricityKg: text(r.electricityKg),
          dataQuality: r.dataQuality,
          factorIds: [...r.provenance.factorIds],
          fallbacks: r.provenance.fallbacks.map((f) => ({ factorId: f.factorId, kinds: [...f.kinds], level: f.used.level, year: f.used.year })),
          omissions: r.provenance.omissions.map((o) => ({ part: o.part, quantity: o.quantity })),
        }
        const { ok: _ok, ...checked } = expected
        for (const [field, value] of Object.entries(checked)) {
          expect({ field, value: actual[field as keyof typeof actual] }).toEqual({ field, value })
        }
      })
    }
  })
}
