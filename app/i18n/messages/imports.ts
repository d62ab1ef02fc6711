import { defineMessages } from '../define.ts'

// Import jobs in the database (issue 15) and upload edges (issue 14): cancelling, interrupted commits, retention.
export const imports = defineMessages(
  {
    'importJobs.cancel': '停止处理',
    'importJobs.cancelHint': '停止后不会写入任何数据。',
    'importPages.error.notRunning': '这次导入当前没有在处理。',
    'importPages.error.cancelled': '检查已停止。需要时可以重新检查。',
    'importPages.error.commitInterrupted': '确认导入被中断（服务器重启或进程退出），没有写入任何数据。可以再次确认导入。',
    'importPages.error.uploadGone': '上传的文件已按保留期限删除，请重新上传。',
    'importPages.error.badUpload': '上传的内容不完整或格式不对，请重新选择文件上传。',
    'csv.error.unsupportedEncoding': '文件的编码是 {encoding}，系统不支持这种编码。请在 Excel 或 WPS 中另存为“CSV UTF-8”或“CSV（逗号分隔）”后重新上传。',
  },
  {
    'importJobs.cancel': 'Stop processing',
    'importJobs.cancelHint': 'Stopping writes nothing.',
    'importPages.error.notRunning': 'This import is not being processed now.',
    'importPages.error.cancelled': 'The check was stopped. Check the file again when you need to.',
    'importPages.error.commitInterrupted': 'The import was interrupted (a server restart or a process that exited); nothing was written. You can confirm it again.',
    'importPages.error.uploadGone': 'The uploaded file was deleted after its retention period. Upload it again.',
    'importPages.error.badUpload': 'The upload was incomplete or malformed. Choose the file and upload it again.',
    'csv.error.unsupportedEncoding': 'The file is encoded in {encoding}, which is not supported. Save it from Excel or WPS as "CSV UTF-8" or "CSV (comma delimited)" and upload it again.',
  },
)
