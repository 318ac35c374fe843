import { loadSlaSettings } from '../sla/settings.ts'
import { withOrg, type Db, type Tx } from '../db.ts'
import type { Env } from '../env.ts'
import { insertJob } from '../jobs/queries.ts'
import {
  complianceFigures,
  firstResponseFigures,
  getDigestOrg,
  getDigestOrgs,
  listCaseSections,
  listAwaitingApproval,
  listFailedSends,
  listOverduePreventionActions,
  overallFirstResponse,
  type DigestOrg,
} from './queries.ts'
import { digestMail, type RenderedMail } from '../../views/mail/digest.tsx'
import { digestCounts, needsAttention, type DigestCounts } from './sections.ts'
import { digestRecipients, loadNotificationSettings } from './settings.ts'
import type { Digest } from './types.ts'
import { listOverdueRecoveryItems, listRecoveryChecksDue } from '../recovery/digest-lines.ts'
import { listInternalUpdatesMissed } from '../warroom/cadence.ts'
import { listRedFlagCases } from '../playbook/digest-lines.ts'

export const digestIdempotencyKey = (orgId: string, localDate: string) => `digest/${orgId}/${localDate}`

/**
 * Everything the digest says, as of `now`, for the org of the transaction (RLS-scoped). The
 * sections are independent statements, so they are all issued at once: postgres.js pipelines
 * them on the transaction's connection, a few round trips for the lot instead of one each (those
 * that need the org's local date or SLA policy, and the sections of several statements, follow
 * as their inputs arrive). `org` skips reading the org again when the caller has it (the claim).
 */
export async function computeDigest(tx: Tx, orgId: string, now: Date, org?: DigestOrg): Promise<Digest> {
  const orgRead = org ? Promise.resolve(org) : getDigestOrg(tx, orgId, now)
  const policyRead = loadSlaSettings(tx, orgId).then((s) => s.policy)
  const byDate = <T>(list: (tx: Tx, localDate: string) => Promise<T>) => orgRead.then((o) => list(tx, o.localDate))
  const yesterday = <T>(figures: (o: DigestOrg) => Promise<T>) => orgRead.then(figures)
  const [
    ,
    theOrg,
    { breached, atRisk, turningAtRisk, unowned, cadenceMissed },
    awaitingApproval,
    internalMissed,
    failedSends,
    redFlags,
    preventionOverdue,
    recoveryOverdue,
    recoveryChecksDue,
    firstResponses,
    overall,
    compliance,
  ] = await settleAll([
    policyRead,
    orgRead,
    listCaseSections(tx, now),
    listAwaitingApproval(tx, now),
    listInternalUpdatesMissed(tx, orgId, now),
    listFailedSends(tx),
    listRedFlagCases(tx, now),
    byDate(listOverduePreventionActions),
    byDate(listOverdueRecoveryItems),
    byDate(listRecoveryChecksDue),
    yesterday(async (o) => firstResponseFigures(tx, o.yesterdayFrom, o.yesterdayTo, await policyRead)),
    yesterday((o) => overallFirstResponse(tx, o.yesterdayFrom, o.yesterdayTo)),
    yesterday((o) => complianceFigures(tx, o.yesterdayFrom, o.yesterdayTo)),
  ])
  return {
    org: theOrg,
    now,
    breached,
    atRisk,
    turningAtRisk,
    awaitingApproval,
    unowned,
    cadenceMissed,
    internalMissed,
    failedSends,
    preventionOverdue,
    recoveryOverdue,
    recoveryChecksDue,
    redFlags,
    yesterday: { date: previousDate(theOrg.localDate), firstResponses, overall, compliance },
  }
}

/**
 * Promise.all that, when one fails, still waits for the rest: no statement of a failed
 * composition is left in flight when its caller rolls back to a savepoint and moves on.
 */
async function settleAll<T extends readonly unknown[] | []>(values: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = (await Promise.allSettled(values)) as PromiseSettledResult<unknown>[]
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as never
}

/**
 * The digest's statements are the same for every org (RLS, not a parameter, picks the org), so
 * one generic plan per connection serves them all; left to itself PostgreSQL planned most of
 * them again on every execution, a third of the database's time per digest.
 */
const genericPlans = (tx: Tx) => tx`select set_config('plan_cache_mode', 'force_generic_plan', true)`

const previousDate = (isoDate: string) => new Date(Date.parse(`${isoDate}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10)

export type DigestPreview = {
  org: DigestOrg
  digest: Digest
  recipients: string[]
  mail: RenderedMail
  needsAttention: boolean
  enabled: boolean
  whenEmpty: boolean
}

/** What would be sent now (the CLI's --dry-run, the admin preview): claims nothing. */
export async function previewDigest(db: Db, env: Pick<Env, 'PUBLIC_URL'>, orgId: string, now = new Date()): Promise<DigestPreview> {
  return withOrg(db, orgId, async (tx) => {
    const plans = genericPlans(tx).execute()
    const settingsRead = loadNotificationSettings(tx, orgId)
    const [, settings, digest, recipients] = await settleAll([
      plans,
      settingsRead,
      computeDigest(tx, orgId, now),
      settingsRead.then((settings) => digestRecipients(tx, settings)),
    ])
    return {
      org: digest.org,
      digest,
      recipients,
      mail: await digestMail(digest, env.PUBLIC_URL),
      needsAttention: needsAttention(digest),
      enabled: settings.digest_enabled,
      whenEmpty: settings.digest_when_empty,
    }
  })
}

export type DigestClaim =
  | {
      status: 'queued'
      orgId: string
      localDate: string
      runId: string
      jobId: string
      recipients: string[]
      mail: RenderedMail
      computeMs: number
    }
  | { status: 'skipped'; orgId: string; localDate: string; runId: string; reason: string; computeMs: number }
  | { status: 'taken'; orgId: string; localDate: string }

/** Claims the org's digest for its local date at `now` (the CLI's `desk digest`): claimDigests for one org. */
export async function claimDigest(db: Db, env: Pick<Env, 'PUBLIC_URL'>, orgId: string, now: Date, claimedBy: string): Promise<DigestClaim> {
  const [claim] = await claimDigests(db, env, [orgId], now, claimedBy)
  return claim!
}

/**
 * Claims each org's digest for its local date at `now` and, in the same transaction, composes it
 * and queues its send job: one transaction for the lot (orgs in id order), each org in its own
 * savepoint under RLS as that org, as withOrg would set it. Whoever inserts the digest_runs row
 * first does the work; a racing scheduler waits on the unique key and then finds the day taken
 * (ascending org order on both sides, so the waits cannot deadlock). A crash before commit
 * leaves nothing (the next tick claims again); after commit, the jobs are durable and any runner
 * sends them. An org whose composition fails is rolled back to its savepoint, claim included, so
 * the next tick tries it again; the others commit, and then the first error is thrown.
 */
export async function claimDigests(
  db: Db,
  env: Pick<Env, 'PUBLIC_URL'>,
  orgIds: string[],
  now: Date,
  claimedBy: string,
): Promise<DigestClaim[]> {
  if (orgIds.length === 0) return []
  const claims: DigestClaim[] = []
  let failure = null as { error: unknown } | null
  await db.begin(async (tx) => {
    const [orgs] = await settleAll([getDigestOrgs(tx, orgIds, now), genericPlans(tx)])
    for (const org of orgs) {
      try {
        claims.push(await claimOrgDigest(tx, env, org, now, claimedBy))
      } catch (error) {
        await settleAll([tx`rollback to savepoint digest_org`, tx`release savepoint digest_org`])
        failure ??= { error }
      }
    }
  })
  if (failure) throw failure.error
  return claims
}

async function claimOrgDigest(tx: Tx, env: Pick<Env, 'PUBLIC_URL'>, org: DigestOrg, now: Date, claimedBy: string): Promise<DigestClaim> {
  const orgId = org.id
  // One round trip: the savepoint, the org's RLS scope and the claim, sent in this order now
  // (execute()), ahead of everything else, then the org's settings.
  const scoped = settleAll([
    tx`savepoint digest_org`.execute(),
    tx`select set_config('app.org_id', ${orgId}, true), set_config('role', 'desk_app', true)`.execute(),
    tx<{ id: string }[]>`
      insert into digest_runs (org_id, local_date, idempotency_key, claimed_by)
      values (${orgId}, ${org.localDate}, ${digestIdempotencyKey(orgId, org.localDate)}, ${claimedBy})
      -- No conflict target: the idempotency key is derived from (org, date), so a racing insert may
      -- meet either unique index first; both mean "another scheduler has it".
      on conflict do nothing
      returning id`.execute(),
  ])
  const [[, , [run]], settings] = await settleAll([scoped, loadNotificationSettings(tx, orgId)])
  if (!run) {
    await tx`release savepoint digest_org`
    return { status: 'taken', orgId, localDate: org.localDate }
  }

  const started = performance.now()
  const [digest, recipients] = await settleAll([computeDigest(tx, orgId, now, org), digestRecipients(tx, settings)])
  const computeMs = Math.round(performance.now() - started)
  const counts = digestCounts(digest)
  const reason = !settings.digest_enabled
    ? 'the digest is turned off'
    : !needsAttention(digest) && !settings.digest_when_empty
      ? 'nothing needs attention'
      : recipients.length === 0
        ? 'nobody to send it to (no active approver or admin)'
        : null
  if (reason) {
    await settleAll([
      tx`update digest_runs set status = 'skipped', reason = ${reason}, counts = ${tx.json(counts)}, compute_ms = ${computeMs} where id = ${run.id}`,
      tx`release savepoint digest_org`,
    ])
    return { status: 'skipped', orgId, localDate: org.localDate, runId: run.id, reason, computeMs }
  }
  const mail = await digestMail(digest, env.PUBLIC_URL)
  const jobId = await insertJob(tx, orgId, 'digest_send', { runId: run.id })
  await settleAll([
    tx`
      update digest_runs set recipients = ${recipients}, subject = ${mail.subject}, text_body = ${mail.text}, html_body = ${mail.html},
        counts = ${tx.json(counts)}, compute_ms = ${computeMs}, job_id = ${jobId}
      where id = ${run.id}`,
    tx`release savepoint digest_org`,
  ])
  return { status: 'queued', orgId, localDate: org.localDate, runId: run.id, jobId, recipients, mail, computeMs }
}

export type DueDigest = { orgId: string; localDate: string }

/**
 * Orgs whose digest is due at `now`: the local hour has come (catching up later the same local
 * day, e.g. after a restart), the digest is on, and no run exists for the local date. Comparing
 * the local hour, not an instant, is what makes DST days right: on a spring-forward day an 02:00
 * digest goes at 03:00, on a fall-back day the repeated hour finds the day already claimed.
 * An org's first digest is the first digest hour after it was created (no catch-up on day one).
 */
export async function listDueDigests(db: Db, now: Date, orgIds: string[] | null = null): Promise<DueDigest[]> {
  return db<DueDigest[]>`
    select o.id as "orgId", to_char(t.local_ts::date, 'YYYY-MM-DD') as "localDate"
    from orgs o
    cross join lateral (select org_time_zone(o.timezone) as tz) z
    cross join lateral (select ${now}::timestamptz at time zone z.tz as local_ts) t
    where extract(hour from t.local_ts) >= o.digest_hour
      and (t.local_ts::date + make_interval(hours => o.digest_hour)) at time zone z.tz >= o.created_at
      and o.settings -> 'digest_enabled' is distinct from 'false'::jsonb
      and not exists (select 1 from digest_runs r where r.org_id = o.id and r.local_date = t.local_ts::date)
      ${orgIds ? db`and o.id = any(${orgIds}::uuid[])` : db``}
    order by o.id`
}

/** Orgs per claimDigests transaction: a few hundred milliseconds of work, one commit. */
export const digestBatchSize = 20

/**
 * The scheduler's half of the digest: claim every due org's digest (each once, whoever races),
 * in batches of `digestBatchSize` orgs, `concurrency` batches at a time (by default half the
 * pool: the server's requests and job loop share it).
 */
export async function enqueueDueDigests(
  db: Db,
  env: Pick<Env, 'PUBLIC_URL'>,
  now: Date,
  claimedBy: string,
  orgIds: string[] | null = null,
  concurrency = Math.max(1, Math.floor(poolSize(db) / 2)),
): Promise<DigestClaim[]> {
  const due = await listDueDigests(db, now, orgIds)
  const batches = Array.from({ length: Math.ceil(due.length / digestBatchSize) }, (_, i) =>
    due.slice(i * digestBatchSize, (i + 1) * digestBatchSize).map((d) => d.orgId),
  )
  const claims: DigestClaim[] = []
  let failure = null as { error: unknown } | null
  await Promise.all(
    Array.from({ length: Math.min(concurrency, batches.length) }, async () => {
      for (let batch = batches.shift(); batch; batch = batches.shift()) {
        try {
          claims.push(...(await claimDigests(db, env, batch, now, claimedBy)))
        } catch (error) {
          failure ??= { error }
        }
      }
    }),
  )
  if (failure) throw failure.error
  return claims
}

/** postgres.js's `max` (10 unless the app set it). */
const poolSize = (db: Db) => Number((db as unknown as { options?: { max?: number } }).options?.max) || 10

/** The stored digest of a run (what was or will be sent). */
export async function getDigestRun(tx: Tx, runId: string) {
  const [row] = await tx<
    {
      id: string
      localDate: string
      status: string
      recipients: string[]
      subject: string | null
      text: string | null
      html: string | null
      idempotencyKey: string
      counts: DigestCounts
    }[]
  >`
    select id, to_char(local_date, 'YYYY-MM-DD') as "localDate", status, recipients, subject, text_body as text, html_body as html,
           idempotency_key as "idempotencyKey", counts
    from digest_runs where id = ${runId}`
  return row
}
