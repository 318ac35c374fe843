import { afterAll } from 'vitest'
import { createApp } from '../../src/app.ts'
import type { AppDeps } from '../../src/http/app-env.ts'
import type { Db } from '../../src/db.ts'
import { parseEnv, type Env } from '../../src/env.ts'
import { createAnalysisPool } from '../../src/intake/analysis-pool.ts'
import { createDevMailer } from '../../src/outbound/mailer.ts'
import { shippedMigrations } from '../../src/setup/migration-files.ts'

/** Settings as a fresh clone has them, plus overrides for the test. */
export function testEnv(overrides: Record<string, string> = {}): Env {
  const result = parseEnv(overrides)
  if (!result.ok) throw new Error(result.problems.join('\n'))
  return result.env
}

/**
 * Inbound mail is analysed on a worker thread, as `npm start` does it. One worker per test file,
 * started by the first message (files that never ingest never start it), stopped after the file.
 */
export const testAnalysis = createAnalysisPool({ size: 1 })
afterAll(() => testAnalysis.close())

/** The real app against the test database; pass only what the test changes. */
export function createTestApp(db: Db, overrides: Partial<AppDeps> = {}) {
  return createApp({
    db,
    env: testEnv(),
    assets: { 'htmx.min.js': { body: '/* htmx */', type: 'text/javascript' }, 'desk.js': { body: '/* desk */', type: 'text/javascript' } },
    mailer: createDevMailer(db),
    analyze: testAnalysis.analyze,
    migrationFiles: shippedMigrations,
    ...overrides,
  })
}
