import { loadSlaSettings } from '../sla/settings.ts'
import { withOrg, type Db, type Tx } from '../db.ts'
import type { Env } from '../env.ts'
import { insertJob } from '../jobs/queries.ts'
import {
  complianceFigures,
  firstResponseFigures,
  getDigestOrg,
  listAtRisk,
  listAwaitingApproval,
  listBreached,
  listCadenceMissed,
  listFailedSends,
  listOverduePreventionActions,
  listTurningAtRiskWithin24h,
  listUnowned,
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

/** Everything the digest says, as of `now`, for the org of the transaction (RLS-scoped). */
export async function computeDigest(tx: Tx, orgId: string, now: Date): Promise<Digest> {
  const org = await getDigestOrg(tx, orgId, now)
  const { policy } = await loadSlaSettings(tx, orgId)
  const from = org.yesterdayFrom,
    to = org.yesterdayTo
  return {
    org,
    now,
    breached: await listBreached(tx, now),
    atRisk: await listAtRisk(tx, now),
    turningAtRisk: await listTurningAtRiskWithin24h(tx, now),
    awaitingApproval: await listAwaitingApproval(tx, now),
    unowned: await listUnowned(tx),
    cadenceMissed: await listCadenceMissed(tx, now),
    internalMissed: await listInternalUpdatesMissed(tx, orgId, now),
    failedSends: await listFailedSends(tx),
    preventionOverdue: await listOverduePreventionActions(tx, org.localDate),
    recoveryOverdue: await listOverdueRecoveryItems(tx, org.localDate),
    recoveryChecksDue: await listRecoveryChecksDue(tx, org.localDate),
    redFlags: await listRedFlagCases(tx, now),
    yesterday: {
      date: previousDate(org.localDate),
      firstResponses: await firstResponseFigures(tx, from, to, policy),
      overall: await overallFirstResponse(tx, from, to),
      compliance: await complianceFigures(tx, from, to),
    },
  }
}

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
    const settings = await loadNotificationSettings(tx, orgId)
    const digest = await computeDigest(tx, orgId, now)
    return {
      org: digest.org,
      digest,
      recipients: await digestRecipients(tx, settings),
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

/**
 * Claims the org's digest for its local date at `now` and, in the same transaction, composes it
 * and queues its send job. Whoever inserts the digest_runs row first does the work; a racing
 * scheduler waits on the unique key and then finds the day taken. A crash before commit leaves
 * nothing (the next tick claims again); after commit, the job is durable and any runner sends it.
 */
export async function claimDigest(db: Db, env: Pick<Env, 'PUBLIC_URL'>, orgId: string, now: Date, claimedBy: string): Promise<DigestClaim> {
  return withOrg(db, orgId, async (tx) => {
    const org = await getDigestOrg(tx, orgId, now)
    const [run] = await tx<{ id: string }[]>`
      insert into digest_runs (org_id, local_date, idempotency_key, claimed_by)
      values (${orgId}, ${org.localDate}, ${digestIdempotencyKey(orgId, org.localDate)}, ${claimedBy})
      -- No conflict target: the idempotency key is derived from (org, date), so a racing insert may
      -- meet either unique index first; both mean "another scheduler has it".
      on conflict do nothing
      returning id`
    if (!run) return { status: 'taken', orgId, localDate: org.localDate }

    const started = performance.now()
    const settings = await loadNotificationSettings(tx, orgId)
    const digest = await computeDigest(tx, orgId, now)
    const recipients = await digestRecipients(tx, settings)
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
      await tx`update digest_runs set status = 'skipped', reason = ${reason}, counts = ${tx.json(counts)}, compute_ms = ${computeMs} where id = ${run.id}`
      return { status: 'skipped', orgId, localDate: org.localDate, runId: run.id, reason, computeMs }
    }
    const mail = await digestMail(digest, env.PUBLIC_URL)
    const jobId = await insertJob(tx, orgId, 'digest_send', { runId: run.id })
    await tx`
      update digest_runs set recipients = ${recipients}, subject = ${mail.subject}, text_body = ${mail.text}, html_body = ${mail.html},
        counts = ${tx.json(counts)}, compute_ms = ${computeMs}, job_id = ${jobId}
      where id = ${run.id}`
    return { status: 'queued', orgId, localDate: org.localDate, runId: run.id, jobId, recipients, mail, computeMs }
  })
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

/**
 * The scheduler's half of the digest: claim every due org's digest (each once, whoever races).
 * A few orgs at a time: each claim is its own short transaction, mostly round trips.
 */
export async function enqueueDueDigests(
  db: Db,
  env: Pick<Env, 'PUBLIC_URL'>,
  now: Date,
  claimedBy: string,
  orgIds: string[] | null = null,
  concurrency = 4,
): Promise<DigestClaim[]> {
  const due = await listDueDigests(db, now, orgIds)
  const claims: DigestClaim[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(concurrency, due.length) }, async () => {
      while (next < due.length) {
        const { orgId } = due[next++]!
        claims.push(await claimDigest(db, env, orgId, now, claimedBy))
      }
    }),
  )
  return claims
}

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
