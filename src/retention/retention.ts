import { recordAudit, type Actor } from '../audit/audit.ts'
import { withOrg, type Db } from '../db.ts'
import { insertJob } from '../jobs/queries.ts'
import type { JobHandler } from '../jobs/runner.ts'

// Per-org retention: the raw mail, files and thread text of cases closed more than N months ago
// are removed by a daily job (the case row, its number, clocks and audit trail stay). The removal
// itself is apply_retention (sql/00037), as the owner: the outbox is frozen to the app role.

/** Cases per transaction, and transactions per job: a large backlog is worked off over several jobs. */
export const RETENTION_BATCH = 100
export const RETENTION_BATCHES_PER_JOB = 20

export const retentionChoices = [3, 6, 12, 18, 24, 36, 60, 84, 120] as const

export async function getRetentionMonths(db: Db, orgId: string): Promise<number | null> {
  return withOrg(db, orgId, async (tx) => {
    const [row]: [{ months: number | null }?] = await tx`select retention_months as months from orgs where id = ${orgId}`
    return row?.months ?? null
  })
}

/** An admin turns retention on (months) or off (null); audited as org.retention_change. */
export async function setRetentionMonths(db: Db, orgId: string, actor: Actor, months: number | null): Promise<boolean> {
  return withOrg(db, orgId, async (tx) => {
    const [before]: [{ months: number | null }?] = await tx`select retention_months as months from orgs where id = ${orgId} for update`
    if (!before || before.months === months) return false
    await tx`update orgs set retention_months = ${months} where id = ${orgId}`
    await recordAudit(tx, orgId, { actor, action: 'org.retention_change', details: { from: before.months, to: months } })
    return true
  })
}

/**
 * Queues each org's retention job once per UTC day (the scheduler tick, across orgs, as the
 * owner). The day is claimed on the org row in the job's own transaction, so overlapping ticks
 * queue one job.
 */
export async function enqueueRetention(db: Db, now: Date, orgIds: string[] | null): Promise<string[]> {
  const day = now.toISOString().slice(0, 10)
  const due = await db<{ id: string }[]>`
    select id from orgs where retention_months is not null and retention_queued_on is distinct from ${day}::date
    ${orgIds ? db`and id = any(${orgIds}::uuid[])` : db``}`
  const queued: string[] = []
  for (const { id } of due) {
    const claimed = await db.begin(async (tx) => {
      const [row] = await tx`
        update orgs set retention_queued_on = ${day}::date where id = ${id} and retention_queued_on is distinct from ${day}::date returning id`
      if (row) await insertJob(tx, id, 'retention', { day })
      return !!row
    })
    if (claimed) queued.push(id)
  }
  return queued
}

/** Runs bounded batches; a backlog larger than one job's share queues the next job. */
export const retentionJob: JobHandler = async (job, ctx) => {
  const log = ctx.log ?? ((line: string) => console.error(line))
  let total = 0
  for (let batch = 1; batch <= RETENTION_BATCHES_PER_JOB; batch++) {
    // Each batch commits on its own: a job stopped halfway keeps what it did, and retries the rest.
    const done = await withOrg(ctx.db, job.orgId, async (tx) => {
      const [row] = await tx<{ n: number }[]>`select apply_retention(${RETENTION_BATCH}) as n`
      return row!.n
    })
    total += done
    if (done > 0) log(`retention: org ${job.orgId}: removed the content of ${done} closed case(s) (batch ${batch}, ${total} so far)`)
    if (done < RETENTION_BATCH) return
  }
  await withOrg(ctx.db, job.orgId, (tx) => insertJob(tx, job.orgId, 'retention', { continued: true }))
}
