import type { Db, DbOrTx, Tx } from '../db.ts'

// What the set-up checks read. Org-scoped unless said otherwise: run them in withOrg.

/** Owner connection: the migrations the database has applied, in order (none before the first). */
export async function appliedMigrations(db: Db): Promise<string[]> {
  const [table] = await db<{ exists: boolean }[]>`select to_regclass('schema_migrations') is not null as exists`
  if (!table?.exists) return []
  const rows = await db<{ name: string }[]>`select name from schema_migrations order by version`
  return rows.map((r) => r.name)
}

export type SetupOrg = {
  id: string
  slug: string
  name: string
  timezone: string
  inboundAddresses: string[]
  setupTestTag: string
  replyFrom: string | null
}

export async function findSetupOrg(db: DbOrTx, orgId: string): Promise<SetupOrg | undefined> {
  const [row]: [SetupOrg?] = await db`
    select id, slug, name, timezone, inbound_addresses as "inboundAddresses", setup_test_tag as "setupTestTag",
           reply_from as "replyFrom"
    from orgs where id = ${orgId}`
  return row
}

/** Executives whose cases may be answered From their own address: that domain must be verified too. */
export async function sendAsAddresses(db: DbOrTx): Promise<string[]> {
  const rows = await db<{ email: string }[]>`select email from org_executives where send_as order by email`
  return rows.map((r) => r.email)
}

/** When mail last arrived through each provider, for this org. */
export async function lastDeliveries(db: DbOrTx, providers: string[]): Promise<Map<string, Date>> {
  const rows = await db<{ provider: string; at: Date | null }[]>`
    select p as provider, (select max(r.received_at) from inbound_raw r where r.provider = p) as at
    from unnest(${providers}::text[]) as p`
  return new Map(rows.flatMap((r) => (r.at ? [[r.provider, r.at] as const] : [])))
}

/** Providers this org has received mail through that are not in `known` (say, a new one). */
export async function otherProviders(db: DbOrTx, known: string[]): Promise<string[]> {
  const rows = await db<{ provider: string }[]>`
    select distinct provider from inbound_raw where not (provider = any(${known}::text[])) order by provider`
  return rows.map((r) => r.provider)
}

export type RoleHolder = { email: string; role: string }

export async function activeApproversAndAdmins(db: DbOrTx): Promise<RoleHolder[]> {
  return db<RoleHolder[]>`
    select email, role from app_users where disabled_at is null and role in ('approver', 'admin') order by email`
}

export type TestCase = {
  id: string
  number: number
  subject: string
  status: string
  createdAt: Date
  provider: string | null
  /** Seconds from storing the raw message to the case (the pipeline's own time). */
  pipelineSeconds: number | null
  discarded: boolean
  drafted: boolean
}

/** The newest test cases (a case opened by mail to the org's +setup-<tag> address), newest first. */
export async function listTestCases(db: DbOrTx, limit = 5): Promise<TestCase[]> {
  return db<TestCase[]>`
    select c.id, c.number, c.subject, c.status, c.created_at as "createdAt", r.provider,
           extract(epoch from c.created_at - r.received_at)::float8 as "pipelineSeconds",
           (c.status = 'closed') as discarded,
           exists (select 1 from drafts d where d.case_id = c.id) as drafted
    from cases c
    left join lateral (
      select r.provider, r.received_at from messages m join inbound_raw r on r.id = m.raw_id
      where m.case_id = c.id order by m.created_at limit 1) r on true
    where c.setup_test
    order by c.created_at desc limit ${limit}`
}

/** Messages of this org quarantined since `since`: a test message that did not become a case. */
export async function countQuarantinedSince(db: DbOrTx, since: Date): Promise<number> {
  const [row] = await db<{ n: number }[]>`
    select count(*)::int as n from inbound_raw where status = 'quarantined' and received_at >= ${since}`
  return row!.n
}

/** The test case under a row lock, or nothing when it is not one of this org's test cases. */
export async function lockTestCase(tx: Tx, caseId: string): Promise<{ id: string; number: number; status: string } | undefined> {
  const [row] = await tx<{ id: string; number: number; status: string }[]>`
    select id, number, status from cases where id = ${caseId} and setup_test for update`
  return row
}

/**
 * Closes a test case and stops what it set going: pending jobs (its draft), open approval
 * requests, replies not sent yet. Returns how many of each.
 */
export async function closeTestCase(tx: Tx, caseId: string): Promise<{ jobs: number; requests: number; sends: number }> {
  await tx`
    update cases set status = 'closed', closed_at = now(), close_reason = 'set-up test message, discarded'
    where id = ${caseId}`
  const jobs = await tx`
    update jobs set done_at = now(), last_error = 'discarded: set-up test case'
    where done_at is null and failed_at is null and payload->>'caseId' = ${caseId}::text returning id`
  const requests = await tx`
    update approval_requests set voided_at = now(), void_reason = 'the test case was discarded'
    where case_id = ${caseId} and decided_at is null and voided_at is null returning id`
  const sends = await tx`
    update outbox set status = 'cancelled', last_error = 'Held back: the test case was discarded.'
    where case_id = ${caseId} and status in ('pending', 'sending') returning id`
  return { jobs: jobs.length, requests: requests.length, sends: sends.length }
}
