import type { FactorSetFiles } from '#app/domain/factors/types.ts'

// A small, valid set: the loader tests break one thing at a time.
export const SET_JSON = JSON.stringify({
  version: '2099.1',
  releaseDate: '2099-01-01',
  status: 'draft',
  title: { zh: '测试因子集', en: 'Test set' },
  notes: { zh: '', en: '' },
  contentSha256: null,
})

export const GRID_CSV = [
  'code,name_zh,name_en,grid,note',
  '410000,河南省,Henan,central,',
  '530000,云南省,Yunnan,south,',
  '150000,内蒙古自治区,Inner Mongolia,north,',
  '150400,赤峰市,Chifeng,northeast,蒙东',
].join('\n')

export const FACTOR_HEADER =
  'id,quantity,boundary,value,unit,region,valid_from_year,valid_to_year,release_year,ghg_scope,data_quality,source_document,source_table,source_page,verified,verification_note,note'

export const FACTOR_ROWS = [
  'grid.national.2022,electricity:grid,generation,0.5366,kgCO2/kWh,CN,2022,2022,2024,2,1,MEE/NBS 2022,national,annex,yes,,',
  'grid.central.2022,electricity:grid,generation,0.5395,kgCO2/kWh,grid:central,2022,2022,2024,2,1,MEE/NBS 2022,regional,annex,yes,,',
  'grid.province.530000.2022,electricity:grid,generation,0.1073,kgCO2/kWh,530000,2022,2022,2024,2,1,MEE/NBS 2022,provincial,annex,yes,,',
  'material.pe_film,material:pe_film,cradle_to_gate,2.917,kgCO2e/kg,CN,2015,,2025,3,2,DESNZ 2025,material use,,secondary,,',
]

export function files(
  factorRows: string[] = FACTOR_ROWS,
  overrides: Partial<{ setJson: string; grid: string; header: string }> = {},
): FactorSetFiles {
  return {
    setJson: { name: 'factors/emission/2099.1/set.json', text: overrides.setJson ?? SET_JSON },
    factorsCsv: {
      name: 'factors/emission/2099.1/factors.csv',
      text: [overrides.header ?? FACTOR_HEADER, ...factorRows].join('\n') + '\n',
    },
    gridRegionsCsv: { name: 'factors/emission/2099.1/grid-regions.csv', text: overrides.grid ?? GRID_CSV },
  }
}

/** Replace one cell (by column name) in a fixture row. */
export function withCell(row: string, column: string, value: string): string {
  const columns = FACTOR_HEADER.split(',')
  const cells = row.split(',')
  cells[columns.indexOf(column)] = value
  return cells.join(',')
}
