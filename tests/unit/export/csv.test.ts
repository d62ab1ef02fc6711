import Decimal from 'decimal.js'
import Papa from 'papaparse'
import { describe, expect, it } from 'vitest'
import { toCsv, type CsvCell, type CsvColumn } from '#app/domain/export/csv.ts'

interface Row extends Record<string, CsvCell> {
  outlet: CsvCell
  rate: CsvCell
  delta: CsvCell
  note: CsvCell
}

const columns: CsvColumn<Row>[] = [
  { key: 'outlet', header: 'Outlet 网点', type: 'text' },
  { key: 'rate', header: { key: 'metric.e_waybill_rate.name' }, type: 'number', fractionDigits: 3 },
  { key: 'delta', header: 'Δ', type: 'number' },
  { key: 'note', header: 'Note, "remark"', type: 'text' },
]

const rows: Row[] = [
  { outlet: '顺丰 郑州"旗舰"店, 中原区', rate: new Decimal('0.95'), delta: '-12.5', note: "=cmd|' /C calc'!A0" },
  { outlet: 'line1\nline2', rate: null, delta: -3, note: '-cmd' },
  { outlet: '@SUM(A1)', rate: '0.9044', delta: 'n/a', note: '+1' },
  { outlet: '\tTab', rate: '1e5', delta: '=1+1', note: '-12.5' },
  { outlet: '\r回车', rate: '0.9045', delta: new Decimal('1e-9'), note: '＝1+1' },
]

describe('toCsv', () => {
  const csv = toCsv(columns, rows, 'zh-CN')

  it('writes BOM, CRLF, RFC 4180 quoting, Chinese, and neutralises formulas by column type', () => {
    expect(csv).toBe(
      '\uFEFF' +
        'Outlet 网点,电子运单使用率,Δ,"Note, ""remark"""\r\n' +
        // quotes doubled and the field quoted for its comma; 0.95 printed with 3 decimals;
        // -12.5 in a number column stays a number; =cmd in a text column gets an apostrophe
        '"顺丰 郑州""旗舰""店, 中原区",0.950,-12.5,\'=cmd|\' /C calc\'!A0\r\n' +
        // an embedded newline is quoted; null is empty; "-cmd" is text, so neutralised
        '"line1\nline2",,-3,\'-cmd\r\n' +
        // @ and + neutralised; 0.9044 -> 0.904; "n/a" in a number column is text, left as is
        "'@SUM(A1),0.904,n/a,'+1\r\n" +
        // tab neutralised; "1e5" is not plain decimal notation, so it is text; "=1+1" in a
        // number column is text and neutralised; "-12.5" in a text column is text
        "'\tTab,1e5,'=1+1,'-12.5\r\n" +
        // a leading CR is neutralised and the field quoted; 0.9045 rounds half up to 0.905;
        // 1e-9 prints without an exponent; a full-width ＝ is neutralised too
        '"\'\r回车",0.905,0.000000001,\'＝1+1\r\n',
    )
  })

  it('starts with a UTF-8 BOM and reads back with the same cells', () => {
    expect(csv.charCodeAt(0)).toBe(0xfeff)
    const bytes = new TextEncoder().encode(csv)
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const parsed = Papa.parse<string[]>(csv.slice(1), { newline: '\r\n' })
    expect(parsed.errors).toEqual([])
    expect(parsed.data[1]).toEqual(['顺丰 郑州"旗舰"店, 中原区', '0.950', '-12.5', "'=cmd|' /C calc'!A0"])
    expect(parsed.data[2]).toEqual(['line1\nline2', '', '-3', "'-cmd"])
  })

  it('translates catalog headers for the locale', () => {
    const english = toCsv(columns.slice(0, 2), [], 'en')
    expect(english).toBe('\uFEFFOutlet 网点,E-waybill rate\r\n')
  })

  it('neutralises a header that starts like a formula', () => {
    expect(toCsv([{ key: 'outlet', header: '-Outlet', type: 'text' }], [], 'en')).toBe("\uFEFF'-Outlet\r\n")
  })
})
