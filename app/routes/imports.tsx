import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { isRecordCode, recordDefinitions } from '#app/domain/activity/definitions.ts'
import { formatDateTime, formatDecimal } from '#app/i18n/format.ts'
import { useLocale, useT } from '#app/i18n/react.ts'
import { uploaderRoles } from '#app/services/imports.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { listBatches } from '#db/models/imports.ts'
import { StackTable } from '#app/components/stack-table.tsx'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, uploaderRoles, context)
  const batches = await listBatches(await getDb(), viewer, 50)
  return {
    batches: batches.map((b) => ({
      id: String(b.id),
      recordType: b.record_type,
      fileName: b.file_name,
      status: b.status,
      createdAt: b.created_at.toISOString(),
      rows: b.rows_total,
      accepted: b.rows_accepted,
      rejected: b.rows_rejected,
      duplicates: b.rows_duplicate,
      uploadedBy: b.uploadedByName,
    })),
  }
}

export default function Imports() {
  const { batches } = useLoaderData<typeof loader>()
  const t = useT()
  const locale = useLocale()
  return (
    <section className="card" data-testid="imports">
      <h1>{t('importPages.title')}</h1>
      <p>
        <Link className="button" to="/imports/new">
          {t('importPages.newTitle')}
        </Link>
      </p>
      <h2>{t('importPages.list')}</h2>
      {batches.length === 0 ? (
        <p className="muted">{t('importPages.noBatches')}</p>
      ) : (
        <StackTable>
            <thead>
              <tr>
                <th>{t('importPages.createdAt')}</th>
                <th>{t('importPages.file')}</th>
                <th>{t('importPages.recordType')}</th>
                <th>{t('importPages.statusLabel')}</th>
                <th className="num">{t('importPages.counts.accepted')}</th>
                <th className="num">{t('importPages.counts.duplicates')}</th>
                <th className="num">{t('importPages.counts.rejected')}</th>
                <th>{t('importPages.uploadedBy')}</th>
              </tr>
            </thead>
            <tbody>
              {batches.map((b) => (
                <tr key={b.id}>
                  <td>{formatDateTime(locale, b.createdAt)}</td>
                  <td>
                    <Link to={`/imports/${b.id}`}>{b.fileName}</Link>
                  </td>
                  <td>{isRecordCode(b.recordType) ? t(recordDefinitions[b.recordType].label) : b.recordType}</td>
                  <td>{t(`importPages.status.${b.status}`)}</td>
                  <td className="num">{formatDecimal(locale, b.accepted)}</td>
                  <td className="num">{formatDecimal(locale, b.duplicates)}</td>
                  <td className="num">{formatDecimal(locale, b.rejected)}</td>
                  <td>{b.uploadedBy ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </StackTable>
      )}
    </section>
  )
}
