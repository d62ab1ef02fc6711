import type { Role } from '#app/domain/access.ts'
import type { MessageKey } from '#app/i18n/index.ts'

/**
 * The header's links for each role, in order. Each area of the product adds
 * its own pages here (one line each); the home page always comes first.
 */
export const navLinks: Record<Role, readonly { to: string; label: MessageKey }[]> = {
  outlet_operator: [{ to: '/outlet', label: 'nav.home' }],
  carrier_admin: [{ to: '/brand', label: 'nav.home' }],
  consumer: [{ to: '/me', label: 'nav.home' }],
  bureau_officer: [{ to: '/bureau', label: 'nav.home' }],
  admin: [
    { to: '/admin', label: 'nav.home' },
    { to: '/admin/users', label: 'adminHome.users' },
  ],
}
