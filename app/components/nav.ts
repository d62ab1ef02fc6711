import type { Role } from '#app/domain/access.ts'
import type { MessageKey } from '#app/i18n/index.ts'

/**
 * The header's links for each role, in order. Each area of the product adds
 * its own pages here (one line each); the home page always comes first.
 */
export const navLinks: Record<Role, readonly { to: string; label: MessageKey }[]> = {
  outlet_operator: [
    { to: '/outlet', label: 'nav.home' },
    { to: '/activity', label: 'nav.activity' },
    { to: '/imports', label: 'nav.imports' },
    { to: '/reports', label: 'nav.reports' },
    { to: '/counter', label: 'creditPages.nav.counter' },
  ],
  carrier_admin: [
    { to: '/brand', label: 'nav.home' },
    { to: '/activity', label: 'nav.activity' },
    { to: '/imports', label: 'nav.imports' },
    { to: '/reports', label: 'nav.reports' },
  ],
  consumer: [{ to: '/me', label: 'nav.home' }],
  bureau_officer: [
    { to: '/bureau', label: 'nav.home' },
    { to: '/reports', label: 'nav.reports' },
    { to: '/reports/brands', label: 'nav.brandComparison' },
  ],
  admin: [
    { to: '/admin', label: 'nav.home' },
    { to: '/admin/users', label: 'adminHome.users' },
    { to: '/reports', label: 'nav.reports' },
    { to: '/admin/targets', label: 'nav.targets' },
    { to: '/admin/factors', label: 'adminFactors.nav' },
    { to: '/admin/partners', label: 'creditPages.nav.partners' },
    { to: '/admin/credit-rules', label: 'creditPages.nav.rules' },
  ],
}
