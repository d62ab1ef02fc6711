import { z } from 'zod'

// Checked once at boot. An operator reads these messages, so each names the
// variable and says what to put there, in Chinese and English.
const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  PORT: z.coerce
    .number({ invalid_type_error: '必须是端口号 / must be a port number' })
    .int('必须是整数端口号 / must be a whole port number')
    .min(1, '端口号须在 1–65535 之间 / must be between 1 and 65535')
    .max(65535, '端口号须在 1–65535 之间 / must be between 1 and 65535')
    .default(3000),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\/.+/, '须为 postgres:// 连接串，或不设置以使用内置数据库 / must be a postgres:// URL, or unset to use the embedded database')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  DATA_DIR: z.string().trim().min(1, '不能为空 / must not be empty').default('.data/pglite'),
  SESSION_TTL_HOURS: z.coerce
    .number({ invalid_type_error: '必须是小时数 / must be a number of hours' })
    .int('必须是整数 / must be a whole number')
    .min(1, '至少 1 小时 / at least 1 hour')
    .max(24 * 30, '至多 720 小时 / at most 720 hours')
    .default(12),
  IMPORT_UPLOAD_RETENTION_HOURS: z.coerce
    .number({ invalid_type_error: '必须是小时数 / must be a number of hours' })
    .int('必须是整数 / must be a whole number')
    .min(1, '至少 1 小时 / at least 1 hour')
    .max(24 * 365, '至多 8760 小时 / at most 8760 hours')
    .default(72),
})

export type Env = z.infer<typeof schema>

export class EnvError extends Error {}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source)
  if (result.success) return result.data
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
  throw new EnvError(`环境变量有误 / Invalid environment:\n${lines.join('\n')}`)
}

let cached: Env | undefined
export function env(): Env {
  cached ??= parseEnv(process.env)
  return cached
}
