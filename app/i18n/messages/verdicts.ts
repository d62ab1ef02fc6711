import { defineMessages } from '../define.ts'

// Verdicts a bureau can sign (issue 13): CSV headers that name unit and scale,
// the printed report's title and page numbers, the rules' worked example.
export const verdicts = defineMessages(
  {
    'verdicts.csv.value': '数值（单位见“单位”列；比例一律以百分数表示，98.4290 即 98.4290%）',
    'verdicts.csv.numerator': '分子（原始合计，单位见“分子含义”列）',
    'verdicts.csv.denominator': '分母（原始合计，单位见“分母含义”列）',
    'verdicts.csv.coverage': '覆盖率（%，报送该指标数据的网点·月占比）',
    'verdicts.csv.targetValue': '目标值（与“数值”同单位；比例以百分数表示）',
    'verdicts.csv.relativeTarget': '{comparison} {value}（相对基线的变化，%）',
    'verdicts.csv.benchmark': '{region}基准（与“数值”同单位）',
    'verdicts.csv.parcels': '收寄快件数（件）',
    'verdicts.csv.outletMonths': '网点·月（个）',
    'verdicts.print.documentTitle': '{scope} {period} {title}',
    'verdicts.print.pageNumber': '第 {page} 页，共 {pages} 页',
    'verdicts.contribution.note': '全国数量目标：表中百分比为{year}年1月1日至本期末的合计占全国目标的比例。',
  },
  {
    'verdicts.csv.value': 'Value (unit in the Unit column; every share in percent: 98.4290 means 98.4290%)',
    'verdicts.csv.numerator': 'Numerator (raw sum, unit in the Numerator is column)',
    'verdicts.csv.denominator': 'Denominator (raw sum, unit in the Denominator is column)',
    'verdicts.csv.coverage': 'Coverage (% of outlet-months that reported the metric’s data)',
    'verdicts.csv.targetValue': 'Target value (same unit as Value; shares in percent)',
    'verdicts.csv.relativeTarget': '{comparison} {value} (change against the baseline, %)',
    'verdicts.csv.benchmark': '{region} benchmark (same unit as Value)',
    'verdicts.csv.parcels': 'Parcels handled (parcels)',
    'verdicts.csv.outletMonths': 'Outlet-months (count)',
    'verdicts.print.documentTitle': '{title}: {scope}, {period}',
    'verdicts.print.pageNumber': 'Page {page} of {pages}',
    'verdicts.contribution.note': 'National count targets: each percentage is the total from 1 January {year} to the period end as a share of the national target.',
  },
)
