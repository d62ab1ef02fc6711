import { defineConfig } from 'vitest/config'

// Four suites: pure unit tests, database tests (embedded PGlite by default,
// real PostgreSQL when DATABASE_URL is set), browser tests in Chromium and
// the fuzz suite against the built server.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['tests/support/fail-on-console-error.ts'],
        },
      },
      {
        test: {
          name: 'db',
          include: ['tests/db/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          setupFiles: ['tests/support/fail-on-console-error.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 90_000,
          hookTimeout: 240_000,
          // one browser suite at a time: each starts its own server and Chromium on a 2-core machine
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          globalSetup: ['tests/e2e/global-setup.ts'],
        },
      },
      {
        test: {
          // Thousands of malformed requests against the built server (issue 14).
          name: 'fuzz',
          include: ['tests/fuzz/**/*.test.ts'],
          environment: 'node',
          testTimeout: 600_000,
          hookTimeout: 240_000,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          globalSetup: ['tests/e2e/global-setup.ts'],
        },
      },
    ],
  },
})
