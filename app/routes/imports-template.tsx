import type { LoaderFunctionArgs } from '@remix-run/node'
import { isRecordCode, recordDefinitions } from '#app/domain/activity/definitions.ts'
import { templateCsv } from '#app/domain/csv/template.ts'
import { isLocale } from '#app/i18n/locales.ts'
import { getLocale } from '#app/utils/locale.server.ts'

// /templates/<recordType>.csv?lang=zh-CN|en: a header row and one example row.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const match = /^([a-z_]+)\.csv$/.exec(params.file ?? '')
  if (!match || !isRecordCode(match[1])) throw new Response('Not found', { status: 404 })
  const lang = new URL(request.url).searchParams.get('lang')
  const locale = isLocale(lang) ? lang : getLocale(request)
  const code = match[1]
  return new Response(templateCsv(recordDefinitions[code], locale), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${code}-template-${locale}.csv"`,
      'Cache-Control': 'no-cache',
    },
  })
}
