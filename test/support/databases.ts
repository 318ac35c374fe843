import { randomBytes } from 'node:crypto'
import { connect } from '../../src/db.ts'

// The server the tests create their databases on: TEST_DATABASE_URL when set; else, with
// TEST_EMBEDDED=1, an embedded PostgreSQL that the global setup starts for the run (and puts in
// TEST_DATABASE_URL for every test process); else the local server on 5432.
const embeddedByDefault = true

export function wantsEmbeddedServer(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.TEST_DATABASE_URL) return false
  return env.TEST_EMBEDDED === '1' || (embeddedByDefault && env.TEST_EMBEDDED !== '0')
}

const base = () => process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'

/** The test server's URL with another database name. */
export function serverUrl(database: string): string {
  const url = new URL(base())
  url.pathname = `/${database}`
  return url.toString()
}

export function testDatabaseName(purpose: string): string {
  return `desk_test_${purpose}_${randomBytes(4).toString('hex')}`
}

/** Creates an empty database on the test server and returns its URL. */
export async function withDatabase(name: string): Promise<string> {
  const admin = connect(serverUrl('postgres'), { max: 1 })
  try {
    await admin.unsafe(`create database "${name}"`)
  } finally {
    await admin.end()
  }
  return serverUrl(name)
}

export async function dropDatabase(name: string): Promise<void> {
  const admin = connect(serverUrl('postgres'), { max: 1 })
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`)
  } finally {
    await admin.end()
  }
}
