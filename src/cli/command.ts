import type { Db } from '../db.ts'
import { ensureDemoOrg } from '../orgs/demo.ts'
import { findOrgBySlug, type Org } from '../orgs/queries.ts'
import { loadEnv, openDatabase, withServerUrl } from '../runtime.ts'
import type { Env } from '../env.ts'

/** Bad input: the CLI prints one line on stderr and exits with code 2, having written nothing. */
export class UsageError extends Error {}

export type Command = {
  name: string
  usage: string // one line: arguments and what it does
  run: (args: string[]) => Promise<number | void>
}

/** Opens DATABASE_URL or the embedded database (through the server's socket when it runs). */
export async function withDatabase<T>(fn: (db: Db, env: Env) => Promise<T>): Promise<T> {
  const env = loadEnv()
  const database = await openDatabase(env)
  try {
    await database.migrate()
    if (env.DESK_DEMO) await ensureDemoOrg(database.db)
    // Links the command prints or mails point at the running server (PUBLIC_URL, or its port).
    return await fn(database.db, await withServerUrl(database.db, env))
  } finally {
    await database.close()
  }
}

export async function requireOrg(db: Db, slug: string | undefined): Promise<Org> {
  if (!slug) throw new UsageError('--org SLUG is required')
  const org = await findOrgBySlug(db, slug)
  if (!org) throw new UsageError(`no organization with slug "${slug}" (check --org)`)
  return org
}
