import { readdirSync } from 'node:fs'
import type { RequestHandler } from 'express'

/**
 * A static middleware asked only for paths under a name the build's client folder holds (its
 * files and folders, read once: the build does not change under a running server), so that a
 * page request never costs a look at the file system. Any other path is one the static
 * middleware would have passed on after finding no file.
 */
export function onlyUnder(root: string, serve: RequestHandler): RequestHandler {
  const names = new Set(readdirSync(root))
  const servesRoot = names.has('index.html')
  return (req, res, next) => {
    const first = req.path.split('/')[1] ?? ''
    let name: string
    try {
      name = decodeURIComponent(first)
    } catch {
      return next()
    }
    if (name === '' ? servesRoot : names.has(name)) return serve(req, res, next)
    next()
  }
}
