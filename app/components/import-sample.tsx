import type { RecordDefinition } from '#app/domain/activity/definitions.ts'
import type { FieldDefinition } from '#app/domain/activity/fields.ts'
import type { PreviewSampleRow } from '#app/domain/csv/preview-sample.ts'
import { formatDecimal } from '#app/i18n/format.ts'
import { useLocale, useT } from '#app/i18n/react.ts'
import { fieldValueText, isNumericField } from './field-value.ts'
import { StackTable } from './stack-table.tsx'

/**
 * An import preview's first rows as they will be stored (issue 16.4): one
 * column per file row and one line per field, so that five rows of a
 * thirteen-field record fit a desktop page, and on a phone each field is a
 * card listing the rows' values.
 */
export function ImportSample({ sample, definition, accepted }: { sample: readonly PreviewSampleRow[]; definition: RecordDefinition; accepted: number }) {
  const t = useT()
  const locale = useLocale()
  if (sample.length === 0) return null
  const fields = definition.fields as readonly FieldDefinition[]
  const rowLabels = sample.map((s) => t('importPreview.sampleRow', { row: s.row }))
  return (
    <>
      <h2>{t('importPreview.sampleTitle', { count: sample.length })}</h2>
      <p className="small muted">{t('importPreview.sampleIntro', { accepted: formatDecimal(locale, accepted, 0) })}</p>
      <StackTable data-testid="import-sample">
        <thead>
          <tr>
            <th>{t('activityPages.record.field')}</th>
            {rowLabels.map((label, i) => (
              <th key={sample[i]!.row}>{label}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr data-field="action">
            <td>{t('importPreview.sampleAction')}</td>
            {sample.map((s) => (
              <td key={s.row} data-action={s.action}>
                {t(`importPreview.action.${s.action}`)}
              </td>
            ))}
          </tr>
          {fields.map((field) => (
            <tr key={field.code} data-field={field.code}>
              <td>{t(field.label)}</td>
              {sample.map((s) => (
                <td key={s.row} className={isNumericField(field) ? 'num' : undefined}>
                  {fieldValueText(field, s.values[field.code], locale)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </StackTable>
    </>
  )
}
