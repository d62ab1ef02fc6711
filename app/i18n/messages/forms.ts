import { defineMessages } from '../define.ts'

// What every form says about input it cannot take, whatever the form.
export const forms = defineMessages(
  {
    'form.error.invalid': '这一项的内容不符合要求，请检查后重新填写。',
    'form.error.required': '这一项必须填写。',
    'form.error.nul': '这一项含有不可见的控制字符（NUL），请删除后重新填写。',
    'form.error.tooLong': '这一项太长，最多 {max} 个字符。',
    'form.error.unreadable': '表单无法读取，请刷新页面后重新提交。',
    'form.error.tooManyFields': '表单的字段太多，请刷新页面后重新提交。',
    'error.badRequest': '提交的内容无法处理，请返回修改后重新提交。',
    'error.tooLarge': '提交的内容太大，超过了这个页面能接收的上限。',
  },
  {
    'form.error.invalid': 'This field is not valid: please check it and fill it in again.',
    'form.error.required': 'This field is required.',
    'form.error.nul': 'This field holds an invisible control character (NUL): please remove it.',
    'form.error.tooLong': 'This field is too long: at most {max} characters.',
    'form.error.unreadable': 'The form could not be read: please reload the page and submit it again.',
    'form.error.tooManyFields': 'The form has too many fields: please reload the page and submit it again.',
    'error.badRequest': 'What was sent could not be used: please go back, correct it and send it again.',
    'error.tooLarge': 'What was sent is too large: it is over the most this page accepts.',
  },
)
