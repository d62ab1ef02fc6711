import { describe, expect, expectTypeOf, it } from 'vitest'
import type Decimal from 'decimal.js'
import {
  recordCodes,
  recordDefinitions,
  shipmentStats,
  vehicleUse,
  type ActivityRecord,
} from '#app/domain/activity/definitions.ts'
import { enums } from '#app/domain/activity/enums.ts'
import { issueMessage } from '#app/domain/activity/messages.ts'
import { issuesFromZodError, recordSchema } from '#app/domain/activity/schema.ts'
import { enumLookup } from '#app/domain/activity/validate.ts'
import { hasMessage } from '#app/i18n/index.ts'
import { mapHeader } from '#app/domain/csv/header.ts'
import { templateCsv } from '#app/domain/csv/template.ts'
import { validateCsvText } from '#app/domain/csv/validate-file.ts'

describe('record definitions', () => {
  it('covers the eight record types of the spec, each with a data quality field', () => {
    expect(Object.keys(recordDefinitions)).toEqual([...recordCodes])
    expect(recordCodes).toHaveLength(8)
    for (const definition of Object.values(recordDefinitions)) {
      expect(definition.fields.some((f) => f.code === 'dataQuality' && f.required)).toBe(true)
    }
  })

  it('builds natural keys only from required fields, and has every label in the catalogs', () => {
    for (const definition of Object.values(recordDefinitions)) {
      for (const code of definition.naturalKey) {
        expect(definition.fields.find((f) => f.code === code)?.required, `${definition.code}.${code}`).toBe(true)
      }
      expect(hasMessage(definition.label)).toBe(true)
      for (const field of definition.fields) expect(hasMessage(field.label), field.label).toBe(true)
    }
  })

  it('has no header or option spelling that means two things', () => {
    for (const definition of Object.values(recordDefinitions)) expect(() => mapHeader(definition, [])).not.toThrow()
    for (const definition of Object.values(enums)) expect(() => enumLookup(definition)).not.toThrow()
  })

  it('types records from their definitions', () => {
    expectTypeOf<ActivityRecord<'shipment_stats'>['parcels']>().toEqualTypeOf<number>()
    expectTypeOf<ActivityRecord<'shipment_stats'>['ecommerceParcels']>().toEqualTypeOf<number | null>()
    expectTypeOf<ActivityRecord<'vehicle_use'>['fuelLitres']>().toEqualTypeOf<Decimal | null>()
    expectTypeOf<ActivityRecord<'vehicles'>['energy']>().toEqualTypeOf<'BEV' | 'PHEV' | 'FCEV' | 'diesel' | 'gasoline' | 'CNG' | 'LNG'>()
  })

  it('ships templates that import cleanly in both languages', () => {
    for (const definition of Object.values(recordDefinitions)) {
      for (const locale of ['zh-CN', 'en'] as const) {
        const report = validateCsvText(definition, templateCsv(definition, locale).replace(/^\uFEFF/, ''), { today: '2024-12-31' })
        expect(report.fileIssues, `${definition.code} ${locale}`).toEqual([])
        expect(report.rejected, `${definition.code} ${locale}`).toEqual([])
        expect(report.accepted).toHaveLength(1)
      }
    }
  })
})

describe('one zod schema for forms and rows', () => {
  const schema = recordSchema(shipmentStats, { today: '2024-03-31' })

  it('parses FormData strings into a typed record, ignoring extra entries such as intent', () => {
    const form = new FormData()
    for (const [name, value] of Object.entries({
      intent: 'save',
      outletCode: 'SF-410105-01',
      date: '2024-03-01',
      parcels: '1,200',
      eWaybillParcels: '１１５０',
      paperWaybillParcels: '50',
      dataQuality: 'measured',
    })) {
      form.set(name, value)
    }
    const result = schema.safeParse(form)
    expect(result.success).toBe(true)
    if (result.success) {
      expect(result.data.parcels).toBe(1200)
      expect(result.data.eWaybillParcels).toBe(1150)
      expect('intent' in result.data).toBe(false)
    }
  })

  it('returns field issues with the field as path, the message key and the code', () => {
    const result = schema.safeParse({
      outletCode: 'SF-410105-01',
      date: '2024-03-01',
      parcels: '100',
      eWaybillParcels: '120',
      paperWaybillParcels: '0',
      dataQuality: 'measured',
    })
    expect(result.success).toBe(false)
    if (!result.success) {
      expect(result.error.issues[0]).toMatchObject({ path: ['eWaybillParcels'], message: 'activity.error.partExceedsWhole' })
      const [issue] = issuesFromZodError(result.error)
      expect(issue).toEqual({
        field: 'eWaybillParcels',
        code: 'part_exceeds_whole',
        key: 'activity.error.partExceedsWhole',
        params: { part: 'eWaybillParcels', whole: 'parcels', partValue: '120', wholeValue: '100' },
      })
      expect(issueMessage(issue!, 'zh-CN')).toBe('“电子运单件数”（120）不能大于“收寄件数”（100），请核对这两个数。')
    }
  })

  it('serves a CSV row keyed by field code the same way', () => {
    const vehicle = recordSchema(vehicleUse, { today: '2024-03-31' })
    const result = vehicle.safeParse({ plate: '豫a 12345', month: '2024年2月', distanceKm: '2，150.5', dataQuality: '估算' })
    expect(result.success).toBe(true)
    if (result.success) {
      expect(result.data.plate).toBe('豫A12345')
      expect(result.data.month).toBe('2024-02')
      expect(result.data.distanceKm.toFixed()).toBe('2150.5')
      expect(result.data.dataQuality).toBe('estimated')
    }
  })
})
