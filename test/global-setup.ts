import type { TestProject } from 'vitest/node'
import { connect } from '../src/db.ts'
import { migrate } from '../src/migrate.ts'
import { dropDatabase, testDatabaseName, withDatabase } from './support/databases.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string
  }
}

// One migrated database per run; tests seed their own orgs with random slugs, so files run in
// parallel without truncating each other's data.
export default async function setup(project: TestProject) {
  const name = testDatabaseName('run')
  const url = await withDatabase(name)
  const db = connect(url, { max: 1 })
  try {
    await migrate(db)
  } finally {
    await db.end()
  }
  project.provide('databaseUrl', url)
  return () => dropDatabase(name)
}
