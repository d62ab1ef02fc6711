import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import routeConfig from '#app/routes.ts'

// The server matches routes with @remix-run/router's CommonJS file, patched to keep the ranked
// branches per routes array and compiled paths per pattern (scripts/patches/@remix-run+router+*.patch,
// decision 080). Its ES module file, which Node never loads on the server, is left as published:
// the reference the patched matching must agree with for every route of app/routes.ts.
const require = createRequire(import.meta.url)
const routerCjs = require.resolve('@remix-run/router')
type RouteObject = { id: string; path?: string; index?: boolean; caseSensitive?: boolean; children?: RouteObject[] }
type Match = { params: Record<string, string | undefined>; pathname: string; pathnameBase: string; route: RouteObject }
type MatchRoutes = (routes: RouteObject[], location: string, basename?: string) => Match[] | null
const patched = require(routerCjs) as { matchRoutes: MatchRoutes }
const reference = (await import(routerCjs.replace(/router\.cjs\.js$/, 'router.js'))) as { matchRoutes: MatchRoutes }

/** The routes as Remix builds them from app/routes.ts: the root route with every entry below it. */
function serverRoutes(): RouteObject[] {
  const children = routeConfig.map((entry) => ({
    id: entry.id ?? entry.file.replace(/\.tsx?$/, ''),
    path: entry.path,
    index: entry.index,
    caseSensitive: entry.caseSensitive,
  }))
  return [{ id: 'root', path: '', children }]
}

/** A URL for every route (its parameters filled in), and some that are near misses. */
function pathnames(): string[] {
  const urls = new Set<string>(['/', '', '/nowhere', '/reports/', '/REPORTS', '/reports//brands', '/outlets/', '/activity/shipment_stats'])
  for (const entry of routeConfig) {
    if (entry.index) continue
    const filled = `/${entry.path!.replace(/:outletId|:batchId|:code|:id/g, '42').replace(':recordType', 'shipment_stats').replace(':file', 'shipments.csv')}`
    for (const url of [filled, `${filled}/`, filled.toUpperCase(), `${filled}/extra`, encodeURI(`${filled}/区`), `${filled}%2Fx`]) urls.add(url)
  }
  urls.add('/activity/vehicle_use/new')
  urls.add('/activity/vehicle_use/new/edit')
  urls.add('/imports/new/rejected.csv')
  urls.add('/templates/%E5%8C%BA.csv')
  return [...urls]
}

const shape = (matches: Match[] | null) =>
  matches?.map((m) => ({ id: m.route.id, params: { ...m.params }, pathname: m.pathname, pathnameBase: m.pathnameBase })) ?? null

describe('route matching (patched @remix-run/router)', () => {
  it('runs the patched file on the server and the published one as the reference', async () => {
    const { readFileSync } = await import('node:fs')
    expect(readFileSync(routerCjs, 'utf8')).toContain('rankedBranchesOf')
    expect(readFileSync(routerCjs.replace(/router\.cjs\.js$/, 'router.js'), 'utf8')).not.toContain('rankedBranchesOf')
  })

  it('matches every route of app/routes.ts as the published algorithm does, again and again on the same routes', () => {
    const routes = serverRoutes()
    const urls = pathnames()
    expect(urls.length).toBeGreaterThan(200)
    let matched = 0
    for (let round = 0; round < 3; round++) {
      for (const url of urls) {
        const expected = shape(reference.matchRoutes(serverRoutes(), url))
        expect(shape(patched.matchRoutes(routes, url)), url).toEqual(expected)
        if (expected) matched++
      }
    }
    // every route is reached by its own URL
    const reached = new Set(urls.flatMap((url) => shape(patched.matchRoutes(routes, url))?.map((m) => m.id) ?? []))
    for (const entry of routeConfig) expect(reached).toContain(entry.id ?? entry.file.replace(/\.tsx?$/, ''))
    expect(matched).toBeGreaterThan(3 * routeConfig.length)
  })

  it('answers with the route objects of the array it is given, not those of another array of the same shape', () => {
    const first = serverRoutes()
    const second = serverRoutes()
    expect(patched.matchRoutes(first, '/bureau')!.at(-1)!.route).toBe(first[0]!.children!.find((r) => r.path === 'bureau'))
    expect(patched.matchRoutes(second, '/bureau')!.at(-1)!.route).toBe(second[0]!.children!.find((r) => r.path === 'bureau'))
  })

  it('sees a route added to an array it has matched before', () => {
    const routes = serverRoutes()
    expect(patched.matchRoutes(routes, '/later')).toBeNull()
    routes[0]!.children!.push({ id: 'routes/later', path: 'later' })
    expect(patched.matchRoutes(routes, '/later')?.map((m) => m.route.id)).toEqual(['root', 'routes/later'])
  })
})
