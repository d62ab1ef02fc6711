import type { Message, MessageKey, MessageParams } from '#app/i18n/index.ts'

/**
 * An error that reaches a person travels as a message key plus parameters;
 * the words live in app/i18n/messages/credits.ts.
 */
export interface CreditError {
  /** The input field at fault, as a dotted path ('consumer.phone'), when there is one. */
  field?: string
  key: MessageKey
  params?: MessageParams
}

/** A problem in a credit rule file, naming the file and the field. */
export interface RuleFileError extends CreditError {
  file: string
  field: string
}

/** The message a person reads for a credit error (its field stays with the caller). */
export function toMessage(error: CreditError): Message {
  return error.params ? { key: error.key, params: error.params } : { key: error.key }
}
