import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigate } from '@remix-run/react'
import { useRef, useState, type FormEvent } from 'react'
import { isRecordCode, recordCodes, recordDefinitions } from '#app/domain/activity/definitions.ts'
import { formatPercent } from '#app/i18n/format.ts'
import { useLocale, useT } from '#app/i18n/react.ts'
import { receiveUpload, uploaderRoles } from '#app/services/imports.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import type { FieldErrors } from '#app/utils/forms.server.ts'
import { useFieldErrors } from '#app/components/field-errors.tsx'

// The upload form. Without JavaScript it is a plain multipart POST to this
// route, which redirects to the preview. With JavaScript the same form is sent
// by XMLHttpRequest to /imports/upload, so that a progress bar can show how
// much of a large file has gone up; the answer says where the preview is.

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(request, uploaderRoles, context)
  const recordType = new URL(request.url).searchParams.get('recordType')
  return { recordType: isRecordCode(recordType) ? recordType : 'shipment_stats' }
}

type UploadField = 'file' | 'recordType'
export type UploadResult = { errors: FieldErrors<UploadField>; recordType: string }

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireRole(request, uploaderRoles)
  const result = await receiveUpload(await getDb(), viewer, request)
  if (result.ok) throw redirect(`/imports/${result.batchId}`)
  return data<UploadResult>({ errors: { [result.field]: result.error }, recordType: result.recordType }, { status: result.status })
}

export default function ImportsNew() {
  const { recordType } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const t = useT()
  const locale = useLocale()
  const navigate = useNavigate()
  const [progress, setProgress] = useState<number | null>(null)
  const [clientError, setClientError] = useState<UploadResult | null>(null)
  const [selected, setSelected] = useState<string>(result?.recordType && isRecordCode(result.recordType) ? result.recordType : recordType)
  const formRef = useRef<HTMLFormElement>(null)
  const { fieldError, invalid } = useFieldErrors<UploadField | 'form'>((clientError ?? result)?.errors ?? {})

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = event.currentTarget
    const body = new FormData(form)
    const file = body.get('file')
    if (!(file instanceof File) || file.size === 0) {
      setClientError({ errors: { file: { key: 'importPages.error.noFile' } }, recordType: selected })
      return
    }
    setClientError(null)
    setProgress(0)
    const xhr = new XMLHttpRequest()
    xhr.open('POST', '/imports/upload')
    xhr.responseType = 'json'
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) setProgress(e.loaded / e.total)
    }
    xhr.onload = () => {
      const answer = xhr.response as { redirectTo?: string } & Partial<UploadResult>
      if (xhr.status === 200 && answer?.redirectTo) {
        navigate(answer.redirectTo)
        return
      }
      setProgress(null)
      if (answer?.errors) setClientError({ errors: answer.errors, recordType: selected })
      else form.submit() // something unexpected: fall back to the plain form
    }
    xhr.onerror = () => {
      setProgress(null)
      form.submit()
    }
    xhr.send(body)
  }

  return (
    <section className="card" data-testid="imports-new">
      <p className="small">
        <Link to="/imports">← {t('importPages.title')}</Link>
      </p>
      <h1>{t('importPages.newTitle')}</h1>
      <p className="muted">{t('importPages.intro')}</p>
      <Form method="post" encType="multipart/form-data" className="form-grid" ref={formRef} onSubmit={onSubmit} noValidate>
        <label className="field">
          <span>{t('importPages.recordType')}</span>
          <select name="recordType" value={selected} onChange={(e) => setSelected(e.target.value)} {...invalid('recordType')}>
            {recordCodes.map((code) => (
              <option key={code} value={code}>
                {t(recordDefinitions[code].label)}
              </option>
            ))}
          </select>
          {fieldError('recordType')}
        </label>
        <p className="templates" data-testid="template-links">
          {t('importPages.templates')}:{' '}
          <a href={`/templates/${selected}.csv?lang=zh-CN`} download>
            {t('importPages.templateZh')}
          </a>{' '}
          ·{' '}
          <a href={`/templates/${selected}.csv?lang=en`} download>
            {t('importPages.templateEn')}
          </a>
        </p>
        <label className="field">
          <span>{t('importPages.file')}</span>
          <input type="file" name="file" accept=".csv,.txt,text/csv" {...invalid('file')} aria-describedby={fieldError('file') ? 'file-hint file-error' : 'file-hint'} />
          <span className="hint" id="file-hint">{t('importPages.fileHint')}</span>
          {fieldError('file')}
        </label>
        <label className="checkbox">
          <input type="checkbox" name="replace" /> <span>{t('importPages.replace')}</span>
        </label>
        <p className="hint">{t('importPages.replaceHint')}</p>
        <label className="field">
          <span>{t('importPages.reason')}</span>
          <textarea name="reason" rows={2} maxLength={500} aria-describedby="reason-hint" />
          <span className="hint" id="reason-hint">{t('importPages.reasonHint')}</span>
        </label>
        {progress !== null && (
          <div className="progress" data-testid="upload-progress">
            <progress max={1} value={progress} />
            <span>{t('importPages.uploading', { percent: formatPercent(locale, progress, 0) })}</span>
          </div>
        )}
        <div>
          <button type="submit" className="primary" disabled={progress !== null} data-testid="upload">
            {t('importPages.uploadButton')}
          </button>
        </div>
      </Form>
    </section>
  )
}
