import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// Lives in test/ to keep the repository's top level to the agreed set of files.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
})
