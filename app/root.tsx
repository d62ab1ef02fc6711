import type { LinksFunction, LoaderFunctionArgs } from '@remix-run/node'
import {
  Form,
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLocation,
  useRouteError,
  useRouteLoaderData,
} from '@remix-run/react'
import type { ReactNode } from 'react'
import { navLinks } from '#app/components/nav.ts'
import { homePath, type Role } from '#app/domain/access.ts'
import { translator } from '#app/i18n/index.ts'
import { defaultLocale, type Locale } from '#app/i18n/locales.ts'
import { useT } from '#app/i18n/react.ts'
import stylesheet from '#app/styles/app.css?url'
import { getSessionUser } from '#app/utils/auth.server.ts'
import { getLocale } from '#app/utils/locale.server.ts'
import { useNonce } from '#app/utils/nonce.ts'

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: stylesheet },
  { rel: 'icon', href: '/favicon.ico', sizes: '32x32' },
  { rel: 'apple-touch-icon', href: '/apple-touch-icon.png' },
  { rel: 'manifest', href: '/manifest.webmanifest' },
]

export async function loader({ request, context }: LoaderFunctionArgs) {
  const locale = getLocale(request)
  const user = await getSessionUser(request, context)
  return {
    locale,
    user: user && { displayName: user.displayName, username: user.username, role: user.role },
  }
}

type RootData = Awaited<ReturnType<typeof loader>>

function Header({ user }: { user: RootData['user'] }) {
  const t = useT()
  const location = useLocation()
  const here = location.pathname + location.search
  return (
    <header className="topbar">
      <Link to={user ? homePath[user.role as Role] : '/'} className="brand">
        <span className="brand-mark" aria-hidden>♻</span>
        <span>{t('app.name')}</span>
      </Link>
      {user && (
        <nav className="topbar-links" aria-label={t('nav.home')}>
          {navLinks[user.role as Role].map((link) => (
            <NavLink key={link.to} to={link.to} end>
              {t(link.label)}
            </NavLink>
          ))}
        </nav>
      )}
      <nav className="topbar-actions">
        {user && (
          // The display name already says who the person is ("消费者 张女士"); the role is one hover away.
          <span className="whoami" data-testid="whoami" title={t(`role.${user.role as Role}`)}>
            {user.displayName}
          </span>
        )}
        <Link to="/methodology">{t('nav.methodology')}</Link>
        {!user && (
          <Link to="/login" data-testid="sign-in-link">
            {t('nav.signIn')}
          </Link>
        )}
        <Form method="post" action="/lang" className="inline">
          <input type="hidden" name="redirectTo" value={here} />
          <button type="submit" name="locale" value={t('nav.switchTo') === 'English' ? 'en' : 'zh-CN'} className="linkish" data-testid="switch-language">
            {t('nav.switchTo')}
          </button>
        </Form>
        {user && (
          <Form method="post" action="/logout" className="inline">
            <button type="submit" className="linkish" data-testid="sign-out">{t('nav.signOut')}</button>
          </Form>
        )}
      </nav>
    </header>
  )
}

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<RootData>('root')
  const locale: Locale = data?.locale ?? defaultLocale
  const nonce = useNonce()
  return (
    <html lang={locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="theme-color" content="#0f3d2e" />
        <title>{translator(locale)('app.name')}</title>
        <Meta />
        <Links />
      </head>
      <body>
        <Header user={data?.user ?? null} />
        <main className="page">{children}</main>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  )
}

export default function App() {
  return <Outlet />
}

export function ErrorBoundary() {
  const error = useRouteError()
  const t = useT()
  const status = isRouteErrorResponse(error) ? error.status : 500
  const message =
    status === 400
      ? t('error.badRequest')
      : status === 403
        ? t('error.forbidden')
        : status === 404
          ? t('error.notFound')
          : status === 413
            ? t('error.tooLarge')
            : t('error.unexpected')
  return (
    <section className="card error-page" data-testid="error-page" data-status={status}>
      <h1>{t('error.title')}</h1>
      <p className="muted">{t('error.status', { status })}</p>
      <p>{message}</p>
      <Link to="/">{t('error.backHome')}</Link>
    </section>
  )
}
