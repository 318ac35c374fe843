import type { Db } from '../db.ts'
import type { Env } from '../env.ts'
import type { Probe, ResendDomain } from './probes.ts'

// The shape of one verdict, and what every check is given.

export type CheckId =
  'database' | 'organization' | 'public_url' | 'sending' | 'inbound' | 'test_message' | 'digest' | 'approvers' | 'drafting'

export type Check = {
  id: CheckId
  title: string
  ok: boolean
  /** What was found, in one sentence. */
  summary: string
  /** What to do about it; null when it passes. */
  fix: string | null
  /** Detail lines (one per provider, per domain…), shown under the summary. */
  lines: string[]
}

export const checkTitles: Record<CheckId, string> = {
  database: 'Database',
  organization: 'Organization',
  public_url: 'Public URL',
  sending: 'Sending mail',
  inbound: 'Receiving mail',
  test_message: 'Test message',
  digest: 'Daily digest',
  approvers: 'Approvers',
  drafting: 'AI drafting',
}

export const pass = (id: CheckId, summary: string, lines: string[] = []): Check => ({
  id,
  title: checkTitles[id],
  ok: true,
  summary,
  fix: null,
  lines,
})
export const fail = (id: CheckId, summary: string, fix: string, lines: string[] = []): Check => ({
  id,
  title: checkTitles[id],
  ok: false,
  summary,
  fix,
  lines,
})

export type SetupContext = {
  db: Db
  env: Env
  /** The migration files this code ships (null where the runtime cannot read sql/, e.g. Workers). */
  migrationFiles: string[] | null
  fetch?: typeof fetch
  now?: Date
}

/** The checks that do not depend on an organization, and the outside answers the others share. */
export type ServerChecks = {
  database: Check
  publicUrl: Check
  resend: (Probe<ResendDomain[]> & { restricted?: boolean }) | null
  model: Probe<{ model: string }> | null
}

export const allPass = (checks: Check[]) => checks.every((c) => c.ok)
