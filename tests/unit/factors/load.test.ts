import { describe, expect, it } from 'vitest'
import { loadFactorSet, type LoadFactorSetResult } from '#app/domain/factors/load.ts'
import { translate } from '#app/i18n/index.ts'
import { FACTOR_ROWS, files, withCell } from './fixtures.ts'

const FACTORS_FILE = 'factors/emission/2099.1/factors.csv'

function errorsOf(result: LoadFactorSetResult) {
  if (result.ok) throw new Error('expected the load to fail')
  return result.errors
}

describe('loadFactorSet: a valid set', () => {
  it('loads every row with exact decimal values', () => {
    const result = loadFactorSet(files())
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.set.factors).toHaveLength(4)
    const yunnan = result.set.byId.get('grid.province.530000.2022')!
    // parsed from the string: exactly 0.1073, not the float nearest to it
    expect(yunnan.value.toFixed()).toBe('0.1073')
    expect(yunnan.regionLevel).toBe('province')
    expect(yunnan.per).toBe('kWh')
    expect(yunnan.row).toBe(4) // header is row 1
    expect(result.set.byId.get('material.pe_film')!.validToYear).toBeNull()
    expect(result.set.contentSha256).toMatch(/^[0-9a-f]{64}$/)
  })

  it('accepts a UTF-8 byte-order mark', () => {
    const f = files()
    f.factorsCsv.text = '\uFEFF' + f.factorsCsv.text
    expect(loadFactorSet(f).ok).toBe(true)
  })
})

describe('loadFactorSet: each bad-file case names file, row and field', () => {
  it('refuses a factor without a source document', () => {
    const rows = [...FACTOR_ROWS]
    rows[1] = withCell(rows[1]!, 'source_document', '')
    const errors = errorsOf(loadFactorSet(files(rows)))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({
      file: FACTORS_FILE,
      row: 3,
      field: 'source_document',
      key: 'factors.error.missingSource',
    })
    expect(String(errors[0])).toBe(
      `${FACTORS_FILE}:3 [source_document]: ${FACTORS_FILE}, row 3: the factor has no source ("source_document"). Every factor must name the document it comes from.`,
    )
    // the same error in Chinese, for the admin page
    expect(translate('zh-CN', errors[0]!.key, errors[0]!.params)).toContain('第 3 行')
  })

  it('refuses an unknown unit and lists the allowed ones', () => {
    const rows = [...FACTOR_ROWS]
    rows[0] = withCell(rows[0]!, 'unit', 'gCO2/kWh')
    const errors = errorsOf(loadFactorSet(files(rows)))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ row: 2, field: 'unit', key: 'factors.error.unknownUnit' })
    expect(errors[0]!.params.value).toBe('gCO2/kWh')
    expect(String(errors[0]!.params.allowed)).toContain('kgCO2/kWh')
  })

  it('refuses an unknown boundary', () => {
    const rows = [...FACTOR_ROWS]
    rows[3] = withCell(rows[3]!, 'boundary', 'cradle_to_grave')
    const errors = errorsOf(loadFactorSet(files(rows)))
    expect(errors[0]).toMatchObject({ row: 5, field: 'boundary', key: 'factors.error.unknownBoundary' })
  })

  it('refuses a duplicate id and points at the first use', () => {
    const rows = [...FACTOR_ROWS, withCell(FACTOR_ROWS[3]!, 'quantity', 'material:ldpe')]
    const errors = errorsOf(loadFactorSet(files(rows)))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({
      file: FACTORS_FILE,
      row: 6,
      field: 'id',
      key: 'factors.error.duplicateId',
      params: expect.objectContaining({ value: 'material.pe_film', firstRow: 5 }),
    })
  })

  it("refuses 'abc' as a value", () => {
    const rows = [...FACTOR_ROWS]
    rows[2] = withCell(rows[2]!, 'value', 'abc')
    const errors = errorsOf(loadFactorSet(files(rows)))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({
      file: FACTORS_FILE,
      row: 4,
      field: 'value',
      key: 'factors.error.notANumber',
      params: expect.objectContaining({ value: 'abc' }),
    })
    expect(String(errors[0])).toContain('"abc", which is not a number')
  })

  it('refuses a negative value, a comma decimal and an exponent', () => {
    const rows = [...FACTOR_ROWS]
    rows[0] = withCell(rows[0]!, 'value', '-0.5')
    rows[1] = withCell(rows[1]!, 'value', '"0,5395"')
    rows[2] = withCell(rows[2]!, 'value', '1e-1')
    const errors = errorsOf(loadFactorSet(files(rows)))
    expect(errors.map((e) => [e.row, e.key])).toEqual([
      [2, 'factors.error.negative'],
      [3, 'factors.error.notANumber'],
      [4, 'factors.error.notANumber'],
    ])
  })

  it('refuses a bad region, a province missing from the grid table and a bad year', () => {
    const rows = [...FACTOR_ROWS]
    rows[0] = withCell(rows[0]!, 'region', 'grid:mars')
    rows[1] = withCell(rows[1]!, 'region', '440000') // Guangdong is not in the fixture's grid table
    rows[2] = withCell(rows[2]!, 'valid_from_year', '22')
    rows[3] = withCell(rows[3]!, 'release_year', '2200')
    const errors = errorsOf(loadFactorSet(files(rows)))
    expect(errors.map((e) => [e.row, e.field, e.key])).toEqual([
      [2, 'region', 'factors.error.badRegion'],
      [3, 'region', 'factors.error.unknownProvince'],
      [4, 'valid_from_year', 'factors.error.badYear'],
      [5, 'release_year', 'factors.error.badYear'],
    ])
  })

  it('refuses two factors for the same quantity, region and year', () => {
    const rows = [
      ...FACTOR_ROWS,
      withCell(withCell(FACTOR_ROWS[1]!, 'id', 'grid.central.2022b'), 'value', '0.54'),
    ]
    const errors = errorsOf(loadFactorSet(files(rows)))
    expect(errors[0]).toMatchObject({
      row: 6,
      key: 'factors.error.overlap',
      params: expect.objectContaining({ otherId: 'grid.central.2022', otherRow: 3 }),
    })
  })

  it('collects every error of a file, not only the first', () => {
    const rows = FACTOR_ROWS.map((r) => withCell(r, 'verified', 'maybe'))
    expect(errorsOf(loadFactorSet(files(rows)))).toHaveLength(4)
  })

  it('refuses a missing or unknown column', () => {
    const header = 'id,quantity,boundary,value,unit,region,valid_from_year,valid_to_year,release_year,ghg_scope,data_quality,source,source_table,source_page,verified,verification_note,note'
    const errors = errorsOf(loadFactorSet(files(FACTOR_ROWS, { header })))
    expect(errors.map((e) => [e.row, e.field, e.key])).toEqual([
      [1, 'source_document', 'factors.error.missingColumn'],
      [1, 'source', 'factors.error.unknownColumn'],
    ])
  })

  it('refuses a row with a wrong number of cells', () => {
    const rows = [...FACTOR_ROWS, 'grid.x,electricity:grid,generation']
    const errors = errorsOf(loadFactorSet(files(rows)))
    expect(errors[0]).toMatchObject({ row: 6, key: 'factors.error.csvSyntax' })
  })

  it('refuses set.json that is not JSON or lacks fields', () => {
    expect(errorsOf(loadFactorSet(files(FACTOR_ROWS, { setJson: '{ "version": ' })))[0]).toMatchObject({
      file: 'factors/emission/2099.1/set.json',
      row: null,
      key: 'factors.error.invalidJson',
    })
    const noStatus = JSON.stringify({ version: '2099.1', releaseDate: '2099-01-01', title: { zh: 'x', en: 'x' } })
    expect(errorsOf(loadFactorSet(files(FACTOR_ROWS, { setJson: noStatus })))[0]).toMatchObject({
      field: 'status',
      key: 'factors.error.setField',
    })
  })

  it('refuses a grid table with an unknown grid, a duplicate code or an orphan city', () => {
    const grid = [
      'code,name_zh,name_en,grid,note',
      '410000,河南省,Henan,central,',
      '530000,云南省,Yunnan,south,',
      '530000,云南省,Yunnan,south,',
      '150000,内蒙古自治区,Inner Mongolia,mengxi,',
      '210100,沈阳市,Shenyang,northeast,',
    ].join('\n')
    const errors = errorsOf(loadFactorSet(files(FACTOR_ROWS.slice(0, 2), { grid })))
    expect(errors.map((e) => [e.file, e.row, e.field, e.key])).toEqual([
      ['factors/emission/2099.1/grid-regions.csv', 4, 'code', 'factors.error.duplicateRegion'],
      ['factors/emission/2099.1/grid-regions.csv', 5, 'grid', 'factors.error.unknownValue'],
      ['factors/emission/2099.1/grid-regions.csv', 6, 'code', 'factors.error.cityWithoutProvince'],
    ])
  })
})

describe('published sets are immutable', () => {
  it('accepts files whose content matches the recorded checksum, whatever the row order or number format', () => {
    const first = loadFactorSet(files())
    if (!first.ok) throw new Error('fixture must load')
    const recorded = first.set.contentSha256
    const reordered = [...FACTOR_ROWS].reverse().map((r) => r.replace(',0.5366,', ',0.53660,'))
    const setJson = JSON.stringify({ ...JSON.parse(files().setJson.text), status: 'published', contentSha256: recorded })
    expect(loadFactorSet(files(reordered, { setJson })).ok).toBe(true)
  })

  it('refuses an edited value in a published set', () => {
    const first = loadFactorSet(files())
    if (!first.ok) throw new Error('fixture must load')
    const setJson = JSON.stringify({
      ...JSON.parse(files().setJson.text),
      status: 'published',
      contentSha256: first.set.contentSha256,
    })
    const edited = [...FACTOR_ROWS]
    edited[2] = withCell(edited[2]!, 'value', '0.1074')
    const errors = errorsOf(loadFactorSet(files(edited, { setJson })))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ field: 'contentSha256', key: 'factors.error.hashMismatch' })
    expect(errors[0]!.params.recorded).toBe(first.set.contentSha256)
  })
})
