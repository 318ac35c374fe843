import postgres from 'postgres'

export type Db = postgres.Sql
export type Tx = postgres.TransactionSql
/** Either the pool or a transaction handle: query functions accept both. */
export type DbOrTx = Db | Tx
/** @deprecated The old name of DbOrTx, still used in src/intake (renamed there once that work lands). */
export type Q = DbOrTx

/**
 * Seconds before a pool connection tries again after failing. postgres.js's default grows with
 * every failure across the whole pool (3^n / 100, up to 20 s), so a two-second restart of
 * PostgreSQL left requests waiting up to 20 s after it was back (test/fault/db-restart.test.ts).
 * Capped at 2 s: providers retry a 503 anyway, and recovery should follow the database at once.
 */
const reconnectBackoff = (retries: number) => (0.5 + Math.random() / 2) * Math.min(3 ** retries / 100, 2)

export type ConnectOptions = postgres.Options<{}> & {
  /**
   * A transaction pooler is in front (PgBouncer in transaction mode, Supabase's pooler, Neon's
   * pooled host): a server connection serves this client for one transaction only. Unset: read
   * from the URL (pooledByUrl).
   */
  pooled?: boolean
}

export function connect(url: string, options: ConnectOptions = {}): Db {
  const { pooled = pooledByUrl(url), ...rest } = options
  return postgres(withoutPoolerHint(url), {
    onnotice: () => {},
    connection: { application_name: 'escalation-desk' },
    backoff: reconnectBackoff,
    // postgres.js prepares every statement by name on the connection that ran it first; behind a
    // transaction pooler the next transaction may land on a server connection that never saw it
    // ("prepared statement … does not exist"). Unnamed statements cost a parse per query.
    // Nor a caller's statement sent down a connection still busy with another's (postgres.js
    // pipelines one without parameters): the pooler hands the server connection back at the end of
    // the first and drops the second's answer, and its caller waits forever (porsager/postgres#970).
    ...(pooled ? { prepare: false, max_pipeline: 0 } : {}),
    ...rest,
  })
}

/**
 * What a pooler's URL gives away: Supabase's transaction pooler listens on 6543, Neon names its
 * pooled host `…-pooler.…`, and Prisma's convention is `?pgbouncer=true`. DATABASE_POOLED says
 * so for any other pooler (or denies it for one of these).
 */
export function pooledByUrl(url: string): boolean {
  const parsed = parseUrl(url)
  return !!parsed && (parsed.port === '6543' || parsed.hostname.includes('-pooler.') || parsed.searchParams.get('pgbouncer') === 'true')
}

/** Null for what only postgres.js reads (several hosts, a socket path as the host). */
function parseUrl(url: string): URL | null {
  try {
    return new URL(url)
  } catch {
    return null
  }
}

/**
 * postgres.js sends every query parameter it does not know to the server as a startup setting;
 * `pgbouncer` is not a setting, and PgBouncer refuses it ("unsupported startup parameter").
 */
function withoutPoolerHint(url: string): string {
  const parsed = parseUrl(url)
  if (!parsed?.searchParams.has('pgbouncer')) return url
  parsed.searchParams.delete('pgbouncer')
  return parsed.toString()
}

/**
 * Runs fn in a transaction scoped to one org, as the unprivileged desk_app role, so row-level
 * security applies to every statement in it. Its settings are transaction-local: they vanish at
 * commit, so a pooled connection never carries one request's org, role or plan mode into the next.
 */
export async function withOrg<T>(db: Db, orgId: string, fn: (tx: Tx) => Promise<T>, options: WithOrgOptions = {}): Promise<T> {
  return (await db.begin(async (tx) => {
    // Sent, not awaited: fn's first statement follows it in the same flight (one round trip less
    // per transaction). The connection runs them in order, so nothing of fn runs before the role
    // and org are set; if setting them fails, the transaction is aborted, every later statement
    // fails, and begin() rethrows this statement's error (postgres.js keeps the first one).
    const plans = options.genericPlans ? tx`, set_config('plan_cache_mode', 'force_generic_plan', true)` : tx``
    // No parallel plans unless a statement asks (the export, src/imports/export.ts): since
    // app_org_id() is parallel safe (sql/00055) the planner would weigh them for every statement
    // on a large table, and that planning cost the queue's statements 1–5 ms each, its filtered
    // rows at 100,000 open cases a p95 of 107 ms instead of 52–60 (`npm run bench -- queue`).
    void tx`select set_config('app.org_id', ${orgId}, true), set_config('role', 'desk_app', true),
                   set_config('max_parallel_workers_per_gather', '0', true)${plans}`.execute()
    return fn(tx)
  })) as T
}

export type WithOrgOptions = {
  /**
   * Every statement of the transaction (the triggers' and functions' included) runs the plan
   * its connection keeps for it, never one planned for this call's values. PostgreSQL plans a
   * statement with an array parameter (`key = any($1)`) for each call while a custom plan for a
   * short array looks cheaper than the kept one, and under row-level security a plan costs one
   * to three milliseconds: more than running it. For intake's lookups by key, where the kept
   * plan (an index scan) is the one every call would get anyway.
   */
  genericPlans?: boolean
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

/**
 * True when PostgreSQL refused text it cannot store: a NUL character (text and jsonb cannot hold
 * U+0000) or a \u0000 escape in JSON. Typed into a form (`a%00b`), that is the request's fault,
 * a 400, not a 500 (test/attack/sql-injection.test.ts).
 */
export function isUnstorableText(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code
  return code === '22021' || code === '22P05'
}
