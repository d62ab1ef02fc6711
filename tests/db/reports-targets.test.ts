import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Viewer } from '#app/domain/access.ts'
import { applicableTargets } from '#app/domain/metrics/inheritance.ts'
import {
  addTarget,
  createTargetSet,
  deleteTarget,
  deleteTargetSet,
  fieldErrors,
  targetFormSchema,
  targetSetFormSchema,
  updateTarget,
  updateTargetSet,
} from '#app/services/targets.server.ts'
import { listAuditFor } from '#db/models/audit.ts'
import { listTargetSets } from '#db/models/target-sets.ts'
import { createTestDatabase, viewerOf, type TestDatabase } from '../support/db.ts'

let t: TestDatabase
let admin: Viewer

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  admin = await viewerOf(t.db, 'admin')
})
afterAll(() => t?.close())

const henanSet = {
  id: 'henan-2026-demo',
  nameZh: '河南省快递绿色包装示例目标',
  nameEn: 'Henan express green packaging example targets',
  sourceTitle: '示例文件',
  sourceIssuer: '河南省邮政管理局',
  sourceNumber: '',
  sourceDate: '2026-03',
  sourceUrl: '',
  sourceVerification: 'Entered by hand for the test.',
  regionCode: '410000',
  brandCode: '',
}

describe('target sets from factors/targets', () => {
  it('are loaded at seed with every target of every file', async () => {
    const sets = await listTargetSets(t.db)
    // 13 files in factors/targets (see its README), counted by hand: china-post-2018 1, gb-43352-2023 1,
    // gbhan-2020-115 2, hohhot-2019 2, ndrc-2023 1, ev-pilot-2023 1, spb-2017 2, spb-2019-9571 3,
    // spb-2020-9792 3, spb-2021-2582 1, spb-2022-9917 2, spb-2022-plastic 1, spb-2023-9218 3 = 23 targets
    expect(sets).toHaveLength(13)
    expect(sets.reduce((n, s) => n + s.targets.length, 0)).toBe(23)
    const hohhot = sets.find((s) => s.id === 'hohhot-2019-zg-2019-9')!
    expect(hohhot.region).toBe('150100')
    expect(hohhot.origin).toBe('file')
    expect(hohhot.targets.map((x) => x.metric).sort()).toEqual(['e_waybill_rate', 'recovery_bin_coverage'])
  })

  it('a city inherits its province’s and the nation’s sets', async () => {
    const sets = await listTargetSets(t.db)
    // Hohhot (150100) has its own recovery-bin target; Zhengzhou does not, Xincheng district inherits Hohhot's
    const hohhot = applicableTargets('150102', sets, '2020-06-30').find((a) => a.metric === 'recovery_bin_coverage')
    expect(hohhot?.set.id).toBe('hohhot-2019-zg-2019-9')
    expect(applicableTargets('410105', sets, '2020-06-30').find((a) => a.metric === 'recovery_bin_coverage')).toBeUndefined()
  })
})

describe('admins edit target sets, audited', () => {
  it('refuses a bad form with a message per field', () => {
    const parsed = targetSetFormSchema.safeParse({ ...henanSet, id: 'Henan 2026', nameZh: ' ', sourceDate: '2026/3', sourceUrl: 'ftp://x', regionCode: '4100' })
    expect(parsed.success).toBe(false)
    const errors = fieldErrors(parsed.error!)
    expect(errors.id).toEqual({ key: 'adminTargets.error.id' })
    expect(errors.nameZh).toEqual({ key: 'adminTargets.error.required', params: { field: 'adminTargets.field.nameZh' } })
    expect(errors.sourceDate).toEqual({ key: 'adminTargets.error.sourceDate' })
    expect(errors.sourceUrl).toEqual({ key: 'adminTargets.error.url' })
    expect(errors.regionCode).toEqual({ key: 'adminTargets.error.region' })
  })

  it('refuses targets the loader would refuse', () => {
    const errorsOf = (input: Record<string, string>) => {
      const parsed = targetFormSchema.safeParse({ metric: 'e_waybill_rate', comparison: '>=', value: '0.9', deadline: '2026-12-31', kind: 'rate', note: '', ...input })
      return parsed.success ? {} : fieldErrors(parsed.error)
    }
    expect(errorsOf({})).toEqual({})
    expect(errorsOf({ value: '90%' }).value).toEqual({ key: 'adminTargets.error.value' })
    expect(errorsOf({ value: '90' }).value).toEqual({ key: 'adminTargets.error.ratioRange' })
    expect(errorsOf({ metric: 'happiness' }).metric).toEqual({ key: 'adminTargets.error.metric' })
    expect(errorsOf({ deadline: '2026-02-30' }).deadline).toEqual({ key: 'adminTargets.error.deadline' })
    expect(errorsOf({ kind: 'national_count' }).kind).toEqual({ key: 'adminTargets.error.countMetric' })
    expect(errorsOf({ metric: 'packaging_per_parcel_g', kind: 'relative_to_baseline', comparison: '<=', value: '-1.5' }).value).toEqual({
      key: 'adminTargets.error.baselineRange',
    })
  })

  it('creates, edits and deletes a set and its targets, each change in the audit log', async () => {
    const fields = targetSetFormSchema.parse(henanSet)
    expect(await createTargetSet(t.db, admin, fields)).toEqual({ ok: true, notice: { key: 'adminTargets.created', params: { id: 'henan-2026-demo' } } })
    // the same id twice is refused, named
    expect(await createTargetSet(t.db, admin, fields)).toEqual({
      ok: false,
      errors: { id: { key: 'adminTargets.error.idTaken', params: { id: 'henan-2026-demo' } } },
    })
    // an unknown region or brand is refused
    const unknown = await createTargetSet(t.db, admin, { ...fields, id: 'other', regionCode: '419900', brandCode: 'dhl' })
    expect(unknown).toEqual({
      ok: false,
      errors: {
        regionCode: { key: 'adminTargets.error.unknownRegion', params: { code: '419900' } },
        brandCode: { key: 'adminTargets.error.unknownBrand', params: { code: 'dhl' } },
      },
    })

    const target = targetFormSchema.parse({ metric: 'no_repack_rate', comparison: '>=', value: '0.95', deadline: '2026-12-31', kind: 'rate', note: '' })
    expect((await addTarget(t.db, admin, 'henan-2026-demo', target)).ok).toBe(true)
    let set = (await listTargetSets(t.db)).find((s) => s.id === 'henan-2026-demo')!
    expect(set.origin).toBe('admin')
    expect(set.targets).toHaveLength(1)
    const targetId = set.targets[0]!.id
    // Zhengzhou now answers to Henan's 95% (upcoming, nearer than the nation's 100% of 2025)
    const inForce = applicableTargets('410105', await listTargetSets(t.db), '2026-06-30').find((a) => a.metric === 'no_repack_rate')
    expect(inForce?.set.id).toBe('henan-2026-demo')
    expect(inForce?.target.value.toString()).toBe('0.95')

    expect((await updateTarget(t.db, admin, 'henan-2026-demo', targetId, { ...target, value: '0.97' })).ok).toBe(true)
    expect((await updateTargetSet(t.db, admin, { ...fields, nameEn: 'Henan example targets (revised)' })).ok).toBe(true)
    set = (await listTargetSets(t.db)).find((s) => s.id === 'henan-2026-demo')!
    expect(set.targets[0]!.value.toString()).toBe('0.97')
    expect(set.name.en).toBe('Henan example targets (revised)')
    // a target id of another set is not this set's to change
    const other = (await listTargetSets(t.db)).find((s) => s.id === 'spb-2019-9571')!.targets[0]!.id
    expect(await updateTarget(t.db, admin, 'henan-2026-demo', other, target)).toEqual({ ok: false, errors: { form: { key: 'adminTargets.error.notFound' } } })

    expect((await deleteTarget(t.db, admin, 'henan-2026-demo', targetId)).ok).toBe(true)
    expect((await deleteTargetSet(t.db, admin, 'henan-2026-demo')).ok).toBe(true)
    expect((await listTargetSets(t.db)).some((s) => s.id === 'henan-2026-demo')).toBe(false)

    const audit = await listAuditFor(t.db, 'target_set', 'henan-2026-demo')
    expect(audit.map((a) => a.action)).toEqual(['target_set.create', 'target.create', 'target.update', 'target_set.update', 'target.delete', 'target_set.delete'])
    expect(audit.every((a) => a.actor === 'admin')).toBe(true)
    const update = audit.find((a) => a.action === 'target.update')!
    expect((update.before as { value: string }).value).toBe('0.95')
    expect((update.after as { value: string }).value).toBe('0.97')
  })
})
