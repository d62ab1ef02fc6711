/**
 * Sign and send one partner API request, so a person can try the API by hand
 * (the demo partner's key is public demo data: seeds/credit-partners.json).
 *
 *   npx tsx scripts/partner-request.ts GET '/api/partner/v1/intensities?brand=sf&region=410100&month=2026-10'
 *   npx tsx scripts/partner-request.ts POST /api/partner/v1/footprints --demo-batch
 *   npx tsx scripts/partner-request.ts POST /api/partner/v1/footprints --body batch.json
 *   npx tsx scripts/partner-request.ts GET /api/partner/v1/footprints/fpb_…
 *
 * Options: --url http://localhost:3000 (the running app), --key-id and
 * --secret (default: the demo partner), --body FILE (JSON to send; '-' reads
 * standard input), --demo-batch (a batch of demo parcels in the last month of
 * the demo data), --idempotency-key KEY (POST; default a fresh random one).
 * Prints the status, the answer's headers that matter and its JSON body.
 */
import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { signRequest } from '#app/domain/credits/signing.server.ts'

interface Options {
  method: string
  target: string
  url: string
  keyId: string
  secret: string
  body: string
  idempotencyKey: string | null
}

function fail(message: string): never {
  console.error(message)
  process.exit(2)
}

async function demoPartner(): Promise<{ keyId: string; secret: string }> {
  const file = JSON.parse(await readFile(path.resolve('seeds/credit-partners.json'), 'utf8')) as { partners: { keyId: string; secret: string }[] }
  const partner = file.partners[0]
  if (!partner) fail('seeds/credit-partners.json has no partner')
  return partner
}

/** Parcels of the demo brands in the last demo month (the month before the activity profile's anchor date). */
async function demoBatch(): Promise<string> {
  const profile = JSON.parse(await readFile(path.resolve('seeds/activity-profile.json'), 'utf8')) as { anchorDate: string }
  const [y, m] = [Number(profile.anchorDate.slice(0, 4)), Number(profile.anchorDate.slice(5, 7))]
  const month = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`
  return JSON.stringify(
    {
      parcels: [
        { waybillNo: 'SF1400000900001', brand: 'sf', originCity: '410100', date: `${month}-15`, massKg: '2.5' },
        { waybillNo: 'ZT7300000900002', brand: 'zto', originCity: '410100', date: `${month}-16`, massKg: '0.8' },
        { waybillNo: 'SF1400000900003', brand: 'sf', originCity: '410600', date: `${month}-03` },
        { waybillNo: 'YT7000000900004', brand: 'yto', originCity: '530100', date: `${month}-20`, massKg: '1.2' },
      ],
    },
    null,
    2,
  )
}

async function parseArgs(argv: string[]): Promise<Options> {
  const [method, target, ...rest] = argv
  if (!method || !target || !/^(GET|POST)$/i.test(method) || !target.startsWith('/')) {
    fail('Usage: npx tsx scripts/partner-request.ts GET|POST /api/partner/v1/… [--url URL] [--key-id ID --secret SECRET] [--body FILE|-] [--demo-batch] [--idempotency-key KEY]')
  }
  const demo = await demoPartner()
  const options: Options = { method: method.toUpperCase(), target, url: 'http://localhost:3000', keyId: demo.keyId, secret: demo.secret, body: '', idempotencyKey: null }
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i]
    const value = () => rest[++i] ?? fail(`${flag} needs a value`)
    if (flag === '--url') options.url = value().replace(/\/$/, '')
    else if (flag === '--key-id') options.keyId = value()
    else if (flag === '--secret') options.secret = value()
    else if (flag === '--idempotency-key') options.idempotencyKey = value()
    else if (flag === '--demo-batch') options.body = await demoBatch()
    else if (flag === '--body') {
      const file = value()
      options.body = file === '-' ? await new Promise<string>((resolve) => {
        let text = ''
        process.stdin.setEncoding('utf8').on('data', (chunk) => (text += chunk)).on('end', () => resolve(text))
      }) : await readFile(file, 'utf8')
    } else fail(`Unknown option ${flag}`)
  }
  if (options.method === 'POST' && options.idempotencyKey === null) options.idempotencyKey = randomUUID()
  return options
}

const options = await parseArgs(process.argv.slice(2))
const { headers } = signRequest({
  method: options.method,
  path: options.target,
  timestamp: Math.floor(Date.now() / 1000),
  body: options.body,
  keyId: options.keyId,
  secret: options.secret,
  ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
})
const response = await fetch(`${options.url}${options.target}`, {
  method: options.method,
  headers: { ...headers, ...(options.body ? { 'Content-Type': 'application/json' } : {}) },
  ...(options.method === 'POST' ? { body: options.body } : {}),
})
console.log(`${response.status} ${response.statusText}`)
for (const name of ['Location', 'Idempotent-Replayed', 'Retry-After']) {
  const value = response.headers.get(name)
  if (value) console.log(`${name}: ${value}`)
}
const text = await response.text()
try {
  console.log(JSON.stringify(JSON.parse(text), null, 2))
} catch {
  console.log(text)
}
process.exitCode = response.ok ? 0 : 1
