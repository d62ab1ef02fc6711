import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link } from '@remix-run/react'
import { StackTable } from '#app/components/stack-table.tsx'
import type { MessageKey } from '#app/i18n/index.ts'
import { useT } from '#app/i18n/react.ts'
import { requireRole } from '#app/utils/auth.server.ts'

// The formats of the files an admin uploads or hands to the command line,
// in the interface's language: the page the upload form and the loaders'
// error messages point to, instead of a file in the source tree.
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(request, ['admin'], context)
  return null
}

type Field = readonly [name: string, meaning: MessageKey]

const sections: readonly { id: string; title: MessageKey; intro: MessageKey; fields: readonly Field[] }[] = [
  {
    id: 'set-json',
    title: 'formats.setJson.title',
    intro: 'formats.setJson.intro',
    fields: [
      ['version', 'formats.setJson.version'],
      ['releaseDate', 'formats.setJson.releaseDate'],
      ['status', 'formats.setJson.status'],
      ['title, notes', 'formats.setJson.titleNotes'],
      ['contentSha256', 'formats.setJson.contentSha256'],
    ],
  },
  {
    id: 'factors-csv',
    title: 'formats.factorsCsv.title',
    intro: 'formats.factorsCsv.intro',
    fields: [
      ['id', 'formats.factorsCsv.id'],
      ['quantity', 'formats.factorsCsv.quantity'],
      ['boundary', 'formats.factorsCsv.boundary'],
      ['value', 'formats.factorsCsv.value'],
      ['unit', 'formats.factorsCsv.unit'],
      ['region', 'formats.factorsCsv.region'],
      ['valid_from_year, valid_to_year', 'formats.factorsCsv.years'],
      ['release_year', 'formats.factorsCsv.releaseYear'],
      ['ghg_scope', 'formats.factorsCsv.ghgScope'],
      ['data_quality', 'formats.factorsCsv.dataQuality'],
      ['source_document, source_table, source_page', 'formats.factorsCsv.source'],
      ['verified, verification_note', 'formats.factorsCsv.verified'],
      ['note', 'formats.factorsCsv.note'],
    ],
  },
  {
    id: 'grid-regions-csv',
    title: 'formats.gridCsv.title',
    intro: 'formats.gridCsv.intro',
    fields: [
      ['code', 'formats.gridCsv.code'],
      ['name_zh, name_en', 'formats.gridCsv.names'],
      ['grid', 'formats.gridCsv.grid'],
      ['note', 'formats.gridCsv.note'],
    ],
  },
  {
    id: 'target-set',
    title: 'formats.targets.title',
    intro: 'formats.targets.intro',
    fields: [
      ['id, name', 'formats.targets.idName'],
      ['source', 'formats.targets.source'],
      ['region', 'formats.targets.region'],
      ['brand', 'formats.targets.brand'],
      ['targets[].metric', 'formats.targets.metric'],
      ['targets[].comparison, value', 'formats.targets.comparison'],
      ['targets[].deadline', 'formats.targets.deadline'],
      ['targets[].kind', 'formats.targets.kind'],
    ],
  },
  {
    id: 'credit-rules',
    title: 'formats.credits.title',
    intro: 'formats.credits.intro',
    fields: [
      ['version, status', 'formats.credits.versionStatus'],
      ['effectiveFrom', 'formats.credits.effectiveFrom'],
      ['expiry', 'formats.credits.expiry'],
      ['source', 'formats.credits.source'],
      ['actions.<code>.pointsPerGram', 'formats.credits.pointsPerGram'],
      ['actions.<code>.rounding', 'formats.credits.rounding'],
      ['actions.<code>.dailyCapPoints, maxQuantityPerAward', 'formats.credits.caps'],
    ],
  },
]

export default function AdminFormats() {
  const t = useT()
  return (
    <section className="card" data-testid="formats-page">
      <p className="small">
        <Link to="/admin/factors">← {t('adminFactors.title')}</Link>
      </p>
      <h1>{t('formats.title')}</h1>
      <p className="muted">{t('formats.intro')}</p>
      <ul>
        {sections.map((section) => (
          <li key={section.id}>
            <a href={`#${section.id}`}>{t(section.title)}</a>
          </li>
        ))}
      </ul>
      {sections.map((section) => (
        <section key={section.id} id={section.id}>
          <h2>{t(section.title)}</h2>
          <p>{t(section.intro)}</p>
          <StackTable>
            <thead>
              <tr>
                <th>{t('formats.field')}</th>
                <th>{t('formats.meaning')}</th>
              </tr>
            </thead>
            <tbody>
              {section.fields.map(([name, meaning]) => (
                <tr key={name}>
                  <td className="mono break">{name}</td>
                  <td>{t(meaning)}</td>
                </tr>
              ))}
            </tbody>
          </StackTable>
        </section>
      ))}
    </section>
  )
}
