import { hasMessage, type Message } from '#app/i18n/index.ts'
import { useT } from '#app/i18n/react.ts'

/**
 * A form's field errors (message keys from the action) as the error text
 * beside each field and the aria attributes that tie the field to it.
 */
export function useFieldErrors<F extends string>(errors: Partial<Record<F, Message>>) {
  const t = useT()
  const say = (message: Message) => {
    const params = { ...message.params }
    // "Fill in {field}": a field named in a message travels as its label's key.
    if (typeof params.field === 'string' && hasMessage(params.field)) params.field = t(params.field)
    return t(message.key, params)
  }
  const fieldError = (field: F) => {
    const error = errors[field]
    return error ? (
      <span className="field-error" id={`${field}-error`}>
        {say(error)}
      </span>
    ) : null
  }
  const invalid = (field: F) => (errors[field] ? { 'aria-invalid': true as const, 'aria-describedby': `${field}-error` } : {})
  return { fieldError, invalid, say }
}
