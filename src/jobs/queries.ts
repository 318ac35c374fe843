import type { DbOrTx, Tx } from '../db.ts'

export type Job = {
  id: string
  orgId: string
  kind: string
  payload: Record<string, unknown>
  /** Including the attempt being made now. */
  attempts: number
  maxAttempts: number
}

export type ClaimOptions = {
  kinds: string[]
  limit: number
  workerId: string
  leaseSeconds: number
  /** Only this org's jobs (tests, `desk worker --org`); all orgs when unset. */
  orgId?: string | null
  /** Only this job (run a just-enqueued job inline, e.g. "Redraft"). */
  jobId?: string | null
}

/**
 * Leases due jobs across orgs, as the owner: SKIP LOCKED lets any number of runners claim
 * disjoint jobs, and the lease (locked_until) keeps a job from a second runner until it expires,
 * which is also how a job whose runner died is picked up again. One statement, so no
 * transaction stays open while the job runs.
 */
export async function claimJobs(db: DbOrTx, o: ClaimOptions): Promise<Job[]> {
  if (!o.kinds.length || o.limit < 1) return []
  return db<Job[]>`
    update jobs j set locked_until = now() + make_interval(secs => ${o.leaseSeconds}),
                      locked_by = ${o.workerId}, attempts = j.attempts + 1
    where j.id in (
      select id from jobs
      where done_at is null and failed_at is null and run_at <= now()
        and (locked_until is null or locked_until < now())
        and kind = any(${o.kinds}::text[])
        ${o.orgId ? db`and org_id = ${o.orgId}` : db``}
        ${o.jobId ? db`and id = ${o.jobId}` : db``}
      order by run_at, id
      limit ${o.limit}
      for update skip locked)
    returning j.id::text as id, j.org_id as "orgId", j.kind, j.payload, j.attempts, j.max_attempts as "maxAttempts"`
}

/** Marks the job done; handlers call it with their own transaction so the work and this commit together. */
export async function completeJob(db: DbOrTx, jobId: string): Promise<void> {
  await db`update jobs set done_at = now(), locked_until = null, last_error = null where id = ${jobId} and done_at is null`
}

/** A failed attempt: try again at retryAt, or give up (failed_at) after the last attempt. */
export async function failJob(db: DbOrTx, jobId: string, workerId: string, error: string, retryAt: Date | null): Promise<void> {
  await db`
    update jobs set last_error = ${error.slice(0, 2000)}, locked_until = null, locked_by = null,
      run_at = coalesce(${retryAt}, run_at),
      failed_at = case when ${retryAt}::timestamptz is null then now() end
    where id = ${jobId} and done_at is null and locked_by = ${workerId}`
}

export async function insertJob(tx: Tx, orgId: string, kind: string, payload: Record<string, unknown>): Promise<string> {
  const [id] = await insertJobs(tx, orgId, kind, [payload])
  return id!
}

/** One job per payload, in one statement (a CSV import queues a draft for each case it creates). */
export async function insertJobs(tx: Tx, orgId: string, kind: string, payloads: Record<string, unknown>[]): Promise<string[]> {
  if (payloads.length === 0) return []
  const rows = payloads.map((payload) => ({ org_id: orgId, kind, payload: tx.json(payload as never) }))
  const inserted = await tx<{ id: string }[]>`insert into jobs ${tx(rows, 'org_id', 'kind', 'payload')} returning id::text as id`
  return inserted.map((r) => r.id)
}

export type JobState = {
  id: string
  kind: string
  attempts: number
  maxAttempts: number
  runAt: Date
  doneAt: Date | null
  failedAt: Date | null
  lastError: string | null
  lockedBy: string | null
}

export async function getJob(db: DbOrTx, jobId: string): Promise<JobState | undefined> {
  const [row]: [JobState?] = await db`
    select id::text as id, kind, attempts, max_attempts as "maxAttempts", run_at as "runAt", done_at as "doneAt",
           failed_at as "failedAt", last_error as "lastError", locked_by as "lockedBy"
    from jobs where id = ${jobId}`
  return row
}
