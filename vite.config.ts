import { vitePlugin as remix } from '@remix-run/dev'
import path from 'node:path'
import { defineConfig } from 'vite'
import { precompressAssets } from './scripts/precompress-assets.ts'

declare module '@remix-run/node' {
  interface Future {
    v3_singleFetch: true
  }
}

export default defineConfig({
  plugins: [
    !process.env.VITEST &&
      remix({
        future: {
          v3_fetcherPersist: true,
          v3_relativeSplatPath: true,
          v3_throwAbortReason: true,
          v3_singleFetch: true,
          v3_lazyRouteDiscovery: true,
          v3_routeConfig: true,
        },
        // The client's files compressed once here, served as they are by server.ts.
        buildEnd: ({ remixConfig }) => {
          precompressAssets(path.join(remixConfig.buildDirectory, 'client'))
        },
      }),
  ],
  server: { port: 3000 },
  build: { target: 'es2022' },
  ssr: { noExternal: [] },
})
