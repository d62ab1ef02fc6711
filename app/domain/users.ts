import { z } from 'zod'
import { roles } from './access.ts'

/**
 * The admin's "new user" form, one schema for browser and server. Messages
 * are catalog keys; the scope field's meaning depends on the role.
 */
export const newUserSchema = z
  .object({
    username: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9._-]{3,64}$/, 'admin.error.username'),
    displayName: z.string().trim().min(1, 'admin.error.displayName').max(100, 'admin.error.displayName'),
    password: z.string().min(10, 'admin.error.password').max(200, 'admin.error.password'),
    role: z.enum(roles, { errorMap: () => ({ message: 'admin.error.role' }) }),
    scope: z.string().trim().default(''),
  })
  .superRefine((value, ctx) => {
    const needsScope = value.role === 'outlet_operator' || value.role === 'carrier_admin' || value.role === 'bureau_officer'
    if (needsScope && value.scope === '') {
      ctx.addIssue({ code: 'custom', path: ['scope'], message: `admin.error.scopeRequired.${value.role}` })
    }
    if (value.role === 'bureau_officer' && value.scope !== '' && !/^\d{6}$/.test(value.scope)) {
      ctx.addIssue({ code: 'custom', path: ['scope'], message: 'admin.error.regionCode' })
    }
  })

export type NewUserInput = z.infer<typeof newUserSchema>
