import { connect, type Db } from './db.ts'
import { attachEmbedded, openEmbedded } from './embedded.ts'
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
 * DATABASE_URL when set, else the embedded database in DATA_DIR. The server opens it (`owner`);
 * the CLI attaches to a running server's socket, so two processes never open the directory.
 */
export async function openDatabase(env: Env, role: 'owner' | 'attach'): Promise<Database> {
  if (env.DATABASE_URL) {
    const db = connect(env.DATABASE_URL)
    return { db, embedded: false, close: () => db.end() }
  }
  const embedded = role === 'owner' ? await openEmbedded(env.DATA_DIR) : await attachEmbedded(env.DATA_DIR)
  // PGlite is one backend session: more than one client connection breaks concurrent transactions.
  const db = connect(embedded.url, { max: 1 })
  return {
    db,
    embedded: true,
    close: async () => {
      await db.end()
      await embedded.close()
    },
  }
}
