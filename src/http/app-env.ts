import type { RequestIdVariables } from 'hono/request-id'
import type { SecureHeadersVariables } from 'hono/secure-headers'
import type { PendingSession } from '../auth/second-factor-gate.ts'
import type { SessionUser } from '../auth/sessions.ts'
import type { Db } from '../db.ts'
import type { Env } from '../env.ts'
import type { Analyzer } from '../intake/analyze.ts'
import type { Mailer } from '../outbound/mailer.ts'

// What every handler can reach through its context. Its own module, so a route file needs only
// these types, not the app that mounts it.

export type StaticAsset = { body: string; type: string }

export type AppDeps = {
  db: Db
  env: Env
  /** Files served under /static/, read by the entry point (keeps the app free of node:fs). */
  assets: Record<string, StaticAsset>
  /** Outbound mail: Resend, or the dev mailbox when no RESEND_API_KEY is set. */
  mailer: Mailer
  /**
   * Where inbound mail is parsed and classified. The Node server passes a worker pool
   * (src/intake/analysis-pool.ts) so a runaway parse cannot stall it; absent, analysis runs in
   * the request (Workers, where each invocation has its own CPU limit).
   */
  analyze?: Analyzer
  /**
   * The migration files this code ships, for the set-up checklist; absent where the runtime has
   * no sql/ folder to read (Workers, Vercel), and the checklist then compares against the database.
   */
  migrationFiles?: () => Promise<string[] | null>
}

/**
 * `user` and `sessionId` are set for requests with a live session (src/http/session.ts);
 * `secondFactor` instead of them for a session that still owes its second factor.
 */
export type AppEnv = {
  Variables: { deps: AppDeps; user?: SessionUser; sessionId?: string; secondFactor?: PendingSession } & SecureHeadersVariables &
    RequestIdVariables
}
