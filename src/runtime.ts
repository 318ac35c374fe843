import { connect, type Db } from './db.ts'
import { openEmbedded } from './embedded.ts'
import { parseEnv, type Env } from './env.ts'

/** Reads the environment or exits with one line per problem (start-up must not half-start). */
export function loadEnv(source = process.env): Env {
  const result = parseEnv(source)
  if (result.ok) return result.env
  console.error('Escalation Desk cannot start; fix these settings (see .env.example):')
  for (const problem of result.problems) console.error(`  ${problem}`)
  process.exit(2)
}

export type Database = { db: Db; embedded: boolean; close: () => Promise<void> }

/**
 * DATABASE_URL when set, else the embedded PostgreSQL in DATA_DIR, which the server and the CLI
 * open the same way: join it when it runs, start it when it does not (src/embedded.ts).
 */
export async function openDatabase(env: Env): Promise<Database> {
  if (env.DATABASE_URL) {
    const db = connect(env.DATABASE_URL)
    return { db, embedded: false, close: () => db.end() }
  }
  const embedded = await openEmbedded(env.DATA_DIR)
  const db = connect(embedded.url)
  return {
    db,
    embedded: true,
    close: async () => {
      await db.end()
      await embedded.close()
    },
  }
}
