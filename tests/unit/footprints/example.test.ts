import { describe, expect, it } from 'vitest'
import { footprintExample } from '#app/domain/footprints/example.ts'
import { publishedSet } from '../emissions/set.ts'

// The methodology page's worked example, redone by hand with set 2026.1 (2022 central grid 0.5395 kgCO2/kWh:
// Henan has no province factor), 30,000 parcels:
// hub        3600 × 0.5395 = 1942.2 (measured) + 12000 × 0.5395 = 6474 (estimated) = 8416.2 → 0.280540
// TTW        300 L × 2.676492 = 802.9476 → 0.026765
// WTT        300 L × 0.611 = 183.3, plus the BEV's 900 kWh × 0.5395 = 485.55 → 668.85 → 0.022295
// WTW        0.026765 + 0.022295 = 0.049060
// packaging  15000 × 0.215 × 1.200 = 3870 (measured) + 15000 × 0.02 × 2.917 = 875.1 (estimated) = 4745.1 → 0.158170
// total      0.280540 + 0.049060 + 0.158170 = 0.487770; primary 7283.9976 / 14633.0976 = 49.78 %
// 2.5 kg     0.48777 × 1000 / 2.5 = 195.108 kg CO2e per tonne
describe('the methodology page’s footprint example', () => {
  it('gives the figures a reader can redo by hand', async () => {
    const example = footprintExample(await publishedSet())
    expect(example).toMatchObject({
      parcels: 30000,
      hub: '0.280540',
      ttw: '0.026765',
      wtt: '0.022295',
      wtw: '0.049060',
      packaging: '0.158170',
      total: '0.487770',
      primaryDataShare: '49.78',
      perTonneFor25Kg: '195.108000',
      factorSetVersion: '2026.1',
    })
    expect(example!.lines.map((l) => l.co2eKg)).toEqual(['1942.2', '6474', '986.2476', '485.55', '3870', '875.1'])
  })
})
