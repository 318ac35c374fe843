import postgres from 'postgres'

export type Db = postgres.Sql
export type Tx = postgres.TransactionSql
/** Either the pool or a transaction handle: query functions accept both. */
export type Q = Db | Tx

export function connect(url: string, options: postgres.Options<{}> = {}): Db {
  return postgres(url, {
    onnotice: () => {},
    connection: { application_name: 'escalation-desk' },
    ...options,
  })
}

/**
 * Runs fn in a transaction scoped to one org, as the unprivileged desk_app role, so row-level
 * security applies to every statement in it. Both settings are transaction-local: they vanish at
 * commit, which is what PGlite's single shared session needs.
 */
export async function withOrg<T>(db: Db, orgId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return (await db.begin(async (tx) => {
    await tx`select set_config('app.org_id', ${orgId}, true), set_config('role', 'desk_app', true)`
    return fn(tx)
  })) as T
}

/** True when the error is Postgres telling us the server is gone or refusing connections. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code ?? ''
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECT_TIMEOUT', 'ETIMEDOUT'].includes(code) ||
    code.startsWith('57P') || // admin shutdown, crash shutdown, cannot connect now
    code.startsWith('08') // connection exceptions
  )
}
