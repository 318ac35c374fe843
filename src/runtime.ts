import { connect, type Db } from './db.ts'
import { openEmbedded } from './embedded.ts'
import { parseEnv, type Env } from './env.ts'
import { migrate, MigrationError, type MigrateResult } from './migrate.ts'

/** Reads the environment or exits with one line per problem (start-up must not half-start). */
export function loadEnv(source = process.env): Env {
  const result = parseEnv(source)
  if (result.ok) return result.env
  console.error('Escalation Desk cannot start; fix these settings (see .env.example):')
  for (const problem of result.problems) console.error(`  ${problem}`)
  process.exit(2)
}

export type Database = {
  db: Db
  embedded: boolean
  /** Applies pending migrations: over DATABASE_MIGRATION_URL when set, else over db. */
  migrate: () => Promise<MigrateResult>
  close: () => Promise<void>
}

/**
 * DATABASE_URL when set, else the embedded PostgreSQL in DATA_DIR, which the server and the CLI
 * open the same way: join it when it runs, start it when it does not (src/embedded.ts).
 */
export async function openDatabase(env: Env): Promise<Database> {
  if (env.DATABASE_URL) {
    const db = connect(env.DATABASE_URL, { pooled: env.DATABASE_POOLED })
    return { db, embedded: false, migrate: () => migrateWith(db, env.DATABASE_MIGRATION_URL), close: () => db.end() }
  }
  const embedded = await openEmbedded(env.DATA_DIR)
  const db = connect(embedded.url)
  return {
    db,
    embedded: true,
    migrate: () => migrate(db),
    close: async () => {
      await db.end()
      await embedded.close()
    },
  }
}

/**
 * Migrations also work through a transaction pooler (each file is one transaction, its lock
 * transaction-scoped), but managed poolers advise a direct connection for schema changes, and a
 * migration should not queue behind the app's traffic for one of the pooler's few server
 * connections: a direct connection of their own, opened for them and closed after.
 */
async function migrateWith(db: Db, migrationUrl: string | undefined): Promise<MigrateResult> {
  if (!migrationUrl) return migrate(db)
  const direct = connect(migrationUrl, { max: 1 })
  try {
    return await migrate(direct)
  } finally {
    await direct.end()
  }
}

/**
 * Where the running server answers, recorded when it starts listening, so that the CLI, run
 * without PUBLIC_URL of its own, prints and mails links to that server rather than to a
 * localhost port it guesses (several app processes: the latest to start wins; set PUBLIC_URL).
 */
export async function recordServerUrl(db: Db, url: string): Promise<void> {
  await db`
    insert into server_settings (name, value) values ('public_url', ${url})
    on conflict (name) do update set value = excluded.value, updated_at = now()`
}

export async function findServerUrl(db: Db): Promise<string | null> {
  const [row] = await db<{ value: string }[]>`select value from server_settings where name = 'public_url'`
  return row?.value ?? null
}

/** The environment with the running server's base URL when this process was given no PUBLIC_URL. */
export async function withServerUrl(db: Db, env: Env, source: Record<string, string | undefined> = process.env): Promise<Env> {
  if (source.PUBLIC_URL) return env
  const url = await findServerUrl(db)
  return url ? { ...env, PUBLIC_URL: url } : env
}

type StartupError = Error & { code?: string; migration?: string; address?: string; port?: number; hostname?: string; syscall?: string }

/**
 * One line saying what stopped start-up and what to do about it: a port in use, a database
 * that refuses the connection or the login, a migration that cannot run. Anything else is its
 * own message. (With DEBUG set, the caller prints the stack trace as well.)
 */
export function describeStartupError(error: unknown, env: Pick<Env, 'PORT' | 'HOST' | 'DATABASE_URL'>): string {
  const e = error as StartupError
  const code = e?.code ?? ''
  const message = e?.message ?? String(error)
  const database = databaseName(env, e)
  if (e?.syscall === 'listen' || (code === 'EADDRINUSE' && !e?.migration)) {
    if (code === 'EADDRINUSE')
      return `port ${env.PORT} on ${env.HOST} is already in use (another desk, or another program): stop it, or start with PORT set to a free port`
    if (code === 'EACCES')
      return `port ${env.PORT} on ${env.HOST} needs privileges this process does not have: use a port above 1023 (behind a proxy for 80/443)`
    if (code === 'EADDRNOTAVAIL')
      return `HOST ${env.HOST} is not an address of this machine: use 127.0.0.1, 0.0.0.0 or one of its own addresses`
  }
  if (e?.migration) return `migration ${e.migration} could not run: ${message}${migrationHint(code)}`
  if (e instanceof MigrationError) return `the database's migrations do not match sql/: ${message}`
  if (code === 'ECONNREFUSED')
    return `PostgreSQL at ${database} refuses connections: is it running, and are the host and port in DATABASE_URL right?`
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `cannot find the database host ${e.hostname ?? database}: check the host name in DATABASE_URL`
  if (code === 'CONNECT_TIMEOUT' || code === 'ETIMEDOUT')
    return `PostgreSQL at ${database} did not answer in time: check DATABASE_URL and that this machine may reach it (firewall, allow-list)`
  if (code === '28P01' || code === '28000')
    return `PostgreSQL at ${database} refused the login: ${message}; check the user and password in DATABASE_URL`
  if (code === '3D000') return `${message} on ${database}: create it, or fix the database name in DATABASE_URL`
  return message
}

/** host:port of the database, never its password. */
function databaseName(env: Pick<Env, 'DATABASE_URL'>, e: StartupError): string {
  if (e?.address && e?.port) return `${e.address}:${e.port}`
  const url = env.DATABASE_URL ? URL.parse(env.DATABASE_URL) : null
  return url ? `${url.hostname}:${url.port || 5432}` : 'the embedded server'
}

function migrationHint(code: string): string {
  if (code === '42501') return ' (the DATABASE_URL role must own the database and may create roles: see "Going live" in the README)'
  if (code === '42P07' || code === '42710') return ' (the database already holds objects of that name: use an empty database for the desk)'
  return ''
}

/** Prints why start-up failed (one line; the stack too with DEBUG) and exits non-zero. */
export function exitOnStartupError(
  error: unknown,
  env: Pick<Env, 'PORT' | 'HOST' | 'DATABASE_URL' | 'DEBUG'>,
  prefix = 'Escalation Desk cannot start',
): never {
  console.error(`${prefix}: ${describeStartupError(error, env)}`)
  if (env.DEBUG) console.error((error as Error)?.stack ?? error)
  process.exit(1)
}
