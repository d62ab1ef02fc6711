import { execFileSync } from 'node:child_process'

// Browser tests drive the production build, as a user would meet it.
export default function setup() {
  if (process.env.E2E_SKIP_BUILD === '1') return
  const env = { ...process.env }
  // vite.config.ts leaves the Remix plugin out under Vitest; this build needs it.
  delete env.VITEST
  delete env.VITEST_MODE
  // `npm run build`: the Remix build, then the server and its embedded database's template (vite.server.config.ts).
  execFileSync('npm', ['run', 'build'], { stdio: 'inherit', env })
}
