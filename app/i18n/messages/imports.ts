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
  },
  {
    'importJobs.cancel': 'Stop processing',
    'importJobs.cancelHint': 'Stopping writes nothing.',
    'importPages.error.notRunning': 'This import is not being processed now.',
    'importPages.error.cancelled': 'The check was stopped. Check the file again when you need to.',
    'importPages.error.commitInterrupted': 'The import was interrupted (a server restart or a process that exited); nothing was written. You can confirm it again.',
    'importPages.error.uploadGone': 'The uploaded file was deleted after its retention period. Upload it again.',
  },
)
