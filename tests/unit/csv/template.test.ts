import { describe, expect, it } from 'vitest'
import { recoveryCollections, shipmentStats } from '#app/domain/activity/definitions.ts'
import { csvCell, rejectedRowsCsv, templateCsv } from '#app/domain/csv/template.ts'
import { validateCsvText } from '#app/domain/csv/validate-file.ts'

describe('templates', () => {
  it('writes a BOM, the header in the locale’s language and one example row', () => {
    expect(templateCsv(recoveryCollections, 'zh-CN')).toBe(
      '\uFEFF网点编码,日期,回收纸箱数,复用纸箱数,交售回收企业重量（千克）,回收企业名称,数据质量\r\n' +
        'SF-410105-01,2024-03-01,120,80,12.5,郑州某再生资源回收有限公司,实测\r\n',
    )
    expect(templateCsv(recoveryCollections, 'en')).toBe(
      '\uFEFFOutlet code,Date,Cartons collected,Cartons reused,Mass to recycler (kg),Recycler name,Data quality\r\n' +
        'SF-410105-01,2024-03-01,120,80,12.5,Zhengzhou Renewable Resources Co.,Measured\r\n',
    )
  })
})

describe('rejected rows', () => {
  it('returns the user’s own columns and cells plus a reason column, UTF-8 with BOM', () => {
    const text = [
      '网点编码,日期,收寄件数,电子运单件数,纸质运单件数,数据质量,备注',
      'SF-1,2024/3/1,"1,200",1150,50,实测,ok',
      'SF-1,2024/3/2,100,120,0,实测,"有逗号, 的备注"',
      'SF-1,2024/3/3,abc,,0,实测,',
    ].join('\n')
    const report = validateCsvText(shipmentStats, text, { today: '2024-03-31' })
    expect(report.rejected.map((r) => r.row)).toEqual([3, 4])
    const csv = rejectedRowsCsv(
      { header: report.headerCells, rows: report.rejected },
      report.rejected.flatMap((r) => r.issues),
      'zh-CN',
    )
    expect(csv).toBe(
      '\uFEFF网点编码,日期,收寄件数,电子运单件数,纸质运单件数,数据质量,备注,错误原因\r\n' +
        'SF-1,2024/3/2,100,120,0,实测,"有逗号, 的备注",第 3 行；电子运单件数：“电子运单件数”（120）不能大于“收寄件数”（100），请核对这两个数。\r\n' +
        // This reason holds a comma ("1,234"), so it is quoted.
        'SF-1,2024/3/3,abc,,0,实测,,"第 4 行；收寄件数：“收寄件数”应为数字（如 1234 或 1,234），现在是“abc”。；电子运单件数：请填写“电子运单件数”。"\r\n',
    )
    // The file goes back in: the reason column is ignored, the rows are read again.
    const again = validateCsvText(shipmentStats, csv.replace(/^\uFEFF/, ''), { today: '2024-03-31' })
    expect(again.fileIssues.map((i) => i.code)).toEqual(['unknown_column']) // 备注 only
    expect(again.rejected.map((r) => r.row)).toEqual([2, 3])
  })

  it('writes English reasons for an English user', () => {
    const report = validateCsvText(shipmentStats, 'outletCode,date,parcels,eWaybillParcels,paperWaybillParcels,dataQuality\nSF-1,2024-04-01,1,1,0,measured\n', {
      today: '2024-03-31',
    })
    const csv = rejectedRowsCsv({ header: report.headerCells, rows: report.rejected }, report.rejected[0]!.issues, 'en')
    expect(csv.split('\r\n')[1]).toBe(
      'SF-1,2024-04-01,1,1,0,measured,"Row 2; date: “Date” is 2024-04-01, after today (2024-03-31). Dates in the future are not accepted."',
    )
  })

  it('quotes what needs quoting and defuses cells Excel would run as formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell('two\nlines')).toBe('"two\nlines"')
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`)
    expect(csvCell('-5')).toBe('-5')
    expect(csvCell('-cmd')).toBe("'-cmd")
    expect(csvCell('a;b', ';')).toBe('"a;b"')
  })
})
