import { defineConfig } from 'vite'

// server.ts and the command-line tools that open the embedded database, as
// JavaScript in build/ (build/server.js, build/scripts/*.js), so that they run
// under plain node: a TypeScript loader at run time costs the process a second
// V8 isolate (docs/decisions/082-embedded-memory.md). Packages stay external,
// as in the Remix build; server.ts loads the Remix build at run time.
export const serverEntries = {
  server: 'server.ts',
  'scripts/seed': 'scripts/seed.ts',
  'scripts/migrate': 'scripts/migrate.ts',
  'scripts/import-csv': 'scripts/import-csv.ts',
  'scripts/cluster-template': 'scripts/cluster-template.ts',
}

export default defineConfig({
  publicDir: false,
  build: {
    ssr: true,
    outDir: 'build',
    emptyOutDir: false,
    target: 'node20',
    minify: false,
    rollupOptions: {
      input: serverEntries,
      output: { entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
  ssr: { noExternal: [] },
})
