import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

// Static files are compressed once, at build time, at the strongest settings
// (server.ts serves the .br or .gz beside each file when the browser takes it),
// so no request pays for compressing a file that never changes.

const compressible = new Set(['.js', '.mjs', '.css', '.svg', '.json', '.webmanifest', '.txt', '.html', '.map', '.ico'])
const minBytes = 1024

export function precompressAssets(dir: string): { files: number; bytes: number; brotliBytes: number } {
  let files = 0
  let bytes = 0
  let brotliBytes = 0
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const file = path.join(folder, name)
      if (statSync(file).isDirectory()) {
        walk(file)
        continue
      }
      if (!compressible.has(path.extname(name)) || statSync(file).size < minBytes) continue
      const content = readFileSync(file)
      const br = brotliCompressSync(content, {
        params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: content.length },
      })
      writeFileSync(`${file}.br`, br)
      writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }))
      files++
      bytes += content.length
      brotliBytes += br.length
    }
  }
  walk(dir)
  return { files, bytes, brotliBytes }
}
