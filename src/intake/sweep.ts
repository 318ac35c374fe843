import { recordAudit, systemActor } from '../audit/audit.ts'
import { isDatabaseUnavailable, withOrg, type Db, type Q } from '../db.ts'
import type { Analyzer } from './analyze.ts'
import type { ModelEnv } from './model.ts'
import { processStored, type IntakeOutcome } from './intake.ts'

// Intake commits the raw bytes before it parses them, so nothing is lost when the process dies
// in between, but the row then stays 'received' and nothing comes back for it: a sender that
// does not retry (a script, the CLI, an SMTP client that gave up) never gets its case. The
// scheduler's tick runs this sweep, which finishes such rows through the same processStored.
// Dedupe (one message per Message-ID per org) makes that safe when a retry already filed it.

export const maxProcessAttempts = 3

export type SweepOptions = {
  /**
   * Only rows stored at least this long ago. A younger row may still be in the hands of the
   * process that stored it; intake's own bounds (size, parse time) end it well within this.
   */
  olderThanMs?: number
  /** Rows per run: each is parsed in turn, so a tick stays short however many a crash left. */
  limit?: number
  /** How long a claimed row is reserved; a sweeper that dies lets it go when this runs out. */
  leaseSeconds?: number
  /** Only these orgs (tests, `desk worker --org`); rows of no org are swept only when unset. */
  orgIds?: string[] | null
  log?: (line: string) => void
  /** How the stored bytes are analysed (Node: the worker pool, as for mail that just arrived). */
  analyze?: Analyzer
  /** With an OpenAI key, the model reads the message too, as for mail that just arrived. */
  env?: ModelEnv
}

export type SweepSummary = {
  claimed: number
  created: number
  threaded: number
  duplicate: number
  not_escalation: number
  quarantined: number
  retrying: number
}

type StrandedRow = { id: string; orgId: string | null; attempts: number; spent: boolean; lastError: string | null }
type StoredRaw = { raw: Buffer; provider: string; sha256: string; envelope: Record<string, unknown> }

/**
 * Claims and finishes up to `limit` stranded rows. Claiming is one owner statement (rows of
 * every org, and of none): SKIP LOCKED keeps concurrent sweepers on disjoint rows and the lease
 * keeps a row from the next one while its sweeper works on it. Claims count attempts, so a row
 * whose processing fails, or kills the process, is quarantined once the attempts are spent.
 */
export async function sweepStrandedRaw(db: Db, options: SweepOptions = {}): Promise<SweepSummary> {
  const summary: SweepSummary = { claimed: 0, created: 0, threaded: 0, duplicate: 0, not_escalation: 0, quarantined: 0, retrying: 0 }
  const rows = await claimStrandedRaw(db, {
    olderThanMs: options.olderThanMs ?? 120_000,
    limit: options.limit ?? 10,
    leaseSeconds: options.leaseSeconds ?? 300,
    orgIds: options.orgIds ?? null,
  })
  summary.claimed = rows.length
  for (const row of rows)
    summary[await finishStranded(db, row, options.log ?? ((line) => console.error(line)), options.analyze, options.env)]++
  return summary
}

type Finished = Exclude<keyof SweepSummary, 'claimed'>

async function finishStranded(
  db: Db,
  row: StrandedRow,
  log: (line: string) => void,
  analyze: Analyzer | undefined,
  env: ModelEnv | undefined,
): Promise<Finished> {
  if (!row.orgId) {
    // Routing happens before storing, so a row without an org never had one to try: retrying
    // would find none again. Only a person can name the org.
    await quarantineStranded(
      db,
      row,
      `stored without an organization (no organization receives its recipients) and never processed; route it with desk ingest --reprocess ${row.id} --org SLUG`,
    )
    return 'quarantined'
  }
  if (row.spent) {
    await quarantineStranded(db, row, giveUpReason(row.lastError ?? 'the process stopped'))
    return 'quarantined'
  }
  const attempt = await processOnce(db, row.id, row.orgId, analyze, env)
  if (attempt.ok) {
    await withOrg(db, row.orgId, (tx) =>
      recordAudit(tx, row.orgId!, {
        actor: systemActor,
        action: 'message.recover',
        details: {
          rawId: row.id,
          attempt: row.attempts,
          outcome: attempt.outcome.status,
          ...(attempt.outcome.case ? { case: attempt.outcome.case } : {}),
        },
      }),
    )
    return attempt.outcome.status
  }
  log(`sweep: stored message ${row.id} failed (attempt ${row.attempts}/${maxProcessAttempts}): ${attempt.error}`)
  if (row.attempts >= maxProcessAttempts) {
    await quarantineStranded(db, row, giveUpReason(attempt.error))
    return 'quarantined'
  }
  await recordFailedAttempt(db, row.id, attempt.error, row.attempts)
  return 'retrying'
}

/** One run of the ordinary pipeline on the stored bytes; its failure is a value, except an outage. */
async function processOnce(
  db: Db,
  rawId: string,
  orgId: string,
  analyze: Analyzer | undefined,
  env: ModelEnv | undefined,
): Promise<{ ok: true; outcome: IntakeOutcome } | { ok: false; error: string }> {
  const stored = await loadStoredRaw(db, rawId) // one row's bytes at a time: a message may be 25 MB
  try {
    const outcome = await processStored(db, {
      orgId,
      rawId,
      raw: new Uint8Array(stored.raw),
      provider: stored.provider,
      sha256: stored.sha256,
      envelope: stored.envelope,
      analyze,
      env,
    })
    return { ok: true, outcome }
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw error // the tick fails and is retried; the lease frees the row
    return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }
  }
}

const giveUpReason = (last: string) => `processing did not finish after ${maxProcessAttempts} attempts: ${last}`.slice(0, 2000)

async function claimStrandedRaw(
  db: Q,
  o: { olderThanMs: number; limit: number; leaseSeconds: number; orgIds: string[] | null },
): Promise<StrandedRow[]> {
  // A claim counts an attempt, except once they are spent: that claim only quarantines the row.
  return db<StrandedRow[]>`
    with picked as (
      select id, process_attempts as before from inbound_raw
      where status = 'received'
        and received_at <= now() - make_interval(secs => ${o.olderThanMs / 1000})
        and (claimed_until is null or claimed_until < now())
        ${o.orgIds ? db`and org_id = any(${o.orgIds}::uuid[])` : db``}
      order by received_at
      limit ${o.limit}
      for update skip locked)
    update inbound_raw r set process_attempts = least(p.before + 1, ${maxProcessAttempts}),
                             claimed_until = now() + make_interval(secs => ${o.leaseSeconds})
    from picked p
    where r.id = p.id
    returning r.id, r.org_id as "orgId", r.process_attempts as attempts, p.before >= ${maxProcessAttempts} as spent,
              r.last_error as "lastError"`
}

async function loadStoredRaw(db: Q, id: string): Promise<StoredRaw> {
  const [row]: [StoredRaw?] = await db`select raw, provider, sha256, envelope from inbound_raw where id = ${id}`
  return row! // raw rows are never deleted
}

/** Keeps the error and backs off (a minute per attempt so far) before the next sweep may take it. */
async function recordFailedAttempt(db: Q, id: string, error: string, attempts: number): Promise<void> {
  await db`
    update inbound_raw set last_error = ${error.slice(0, 2000)}, claimed_until = now() + make_interval(mins => ${attempts})
    where id = ${id} and status = 'received'`
}

/**
 * Quarantined with the reason, like any message intake cannot take, and re-processable the same
 * way. Only a row still 'received' changes: one that was filed meanwhile keeps its outcome.
 */
async function quarantineStranded(db: Db, row: StrandedRow, reason: string): Promise<void> {
  const mark = (q: Q) => q`
    update inbound_raw set status = 'quarantined', reason = ${reason}, processed_at = now(), claimed_until = null
    where id = ${row.id} and status = 'received'
    returning id`
  if (!row.orgId) {
    await mark(db)
    return
  }
  await withOrg(db, row.orgId, async (tx) => {
    const [marked] = await mark(tx)
    if (marked)
      await recordAudit(tx, row.orgId!, {
        actor: systemActor,
        action: 'message.quarantine',
        details: { rawId: row.id, reason, attempts: row.attempts },
      })
  })
}
