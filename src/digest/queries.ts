import type { DbOrTx, Tx } from '../db.ts'
import type { SlaPolicy } from '../sla/sla.ts'
import { clockStateSql, openWorkSql } from '../queue/queries.ts'

// Every figure of the digest is one SQL statement over the stored clock instants; the
// application only formats. Each runs inside withOrg (RLS scopes it to the org) with the same
// `now`, so the sections agree with each other and with the queue at that instant.

/** Lines listed per section; the total is always given, so "and 14 more" is visible. */
export const sectionLimit = 20

export type DigestOrg = {
  id: string
  name: string
  slug: string
  timeZone: string
  localDate: string
  yesterdayFrom: Date
  yesterdayTo: Date
}

/** The org, its (valid) time zone, its local date at `now`, and yesterday's bounds as instants (23 or 25 hours across DST). */
export async function getDigestOrg(db: DbOrTx, orgId: string, now: Date): Promise<DigestOrg> {
  const [row]: [DigestOrg?] = await db`
    with o as (select id, name, slug, org_time_zone(timezone) as tz from orgs where id = ${orgId}),
         d as (select o.*, (${now}::timestamptz at time zone o.tz)::date as local_date from o)
    select id, name, slug, tz as "timeZone", to_char(local_date, 'YYYY-MM-DD') as "localDate",
           ((local_date - 1)::timestamp at time zone tz) as "yesterdayFrom",
           (local_date::timestamp at time zone tz) as "yesterdayTo"
    from d`
  if (!row) throw new Error(`org ${orgId} not found`)
  return row
}

/** getDigestOrg for many orgs at once (the owner reading `orgs` for a batch of claims), in id order. */
export async function getDigestOrgs(db: DbOrTx, orgIds: string[], now: Date): Promise<DigestOrg[]> {
  const rows: DigestOrg[] = await db`
    with o as (select id, name, slug, org_time_zone(timezone) as tz from orgs where id = any(${orgIds}::uuid[])),
         d as (select o.*, (${now}::timestamptz at time zone o.tz)::date as local_date from o)
    select id, name, slug, tz as "timeZone", to_char(local_date, 'YYYY-MM-DD') as "localDate",
           ((local_date - 1)::timestamp at time zone tz) as "yesterdayFrom",
           (local_date::timestamp at time zone tz) as "yesterdayTo"
    from d order by id`
  const missing = orgIds.find((id) => !rows.some((r) => r.id === id))
  if (missing) throw new Error(`org ${missing} not found`)
  return rows
}

export type CaseLine = {
  id: string
  number: number
  subject: string
  severity: string
  status: string
  ownerName: string | null
  /** The instant that matters for the section: the deadline, the missed update, … */
  at: Date | null
  clock: 'first response' | 'update' | 'resolution' | null
  total: number
}

const caseLine = (db: DbOrTx) => db`
  c.id, c.number, c.subject, c.severity, c.status, coalesce(nullif(u.name, ''), u.email) as "ownerName",
  case when c.next_deadline_at is null then null
       when c.first_response_at is null and c.next_deadline_at = c.first_response_due_at then 'first response'
       when c.next_deadline_at = c.next_update_due_at then 'update'
       else 'resolution' end as clock,
  (count(*) over ())::int as total`

// Open work and its clock state are the queue's own definitions (sql/00022), so the digest's
// "3 breached, 2 at risk" is what the queue shows at that instant. A set-up test case (mail to
// the org's +setup- address) is nobody's work: both leave it out.
const open = openWorkSql

/** Open cases past their earliest running deadline, longest overdue first. */
export async function listBreached(db: DbOrTx, now: Date): Promise<CaseLine[]> {
  return db<CaseLine[]>`
    select ${caseLine(db)}, c.next_deadline_at as at
    from cases c left join app_users u on u.id = c.owner_id
    where ${open(db)} and ${clockStateSql(db, now)} = 'breached'
    order by c.next_deadline_at, c.number limit ${sectionLimit}`
}

/** At risk now (the queue's amber), not yet breached; soonest deadline first. */
export async function listAtRisk(db: DbOrTx, now: Date): Promise<CaseLine[]> {
  return db<CaseLine[]>`
    select ${caseLine(db)}, c.next_deadline_at as at
    from cases c left join app_users u on u.id = c.owner_id
    where ${open(db)} and ${clockStateSql(db, now)} = 'at_risk'
    order by c.next_deadline_at, c.number limit ${sectionLimit}`
}

/** Not at risk yet, but turning at risk within the next 24 hours: what today will bring. */
export async function listTurningAtRiskWithin24h(db: DbOrTx, now: Date): Promise<CaseLine[]> {
  return db<CaseLine[]>`
    select ${caseLine(db)}, c.next_deadline_at as at
    from cases c left join app_users u on u.id = c.owner_id
    where ${open(db)} and ${clockStateSql(db, now)} = 'ok'
      and c.next_at_risk_at <= ${now}::timestamptz + interval '24 hours'
    order by c.next_deadline_at, c.number limit ${sectionLimit}`
}

/** Open cases nobody owns, most urgent first. */
export async function listUnowned(db: DbOrTx): Promise<CaseLine[]> {
  return db<CaseLine[]>`
    select ${caseLine(db)}, c.next_deadline_at as at
    from cases c left join app_users u on u.id = c.owner_id
    where ${open(db)} and c.owner_id is null
    order by c.next_deadline_at nulls last, c.number limit ${sectionLimit}`
}

/** SEV-1 and SEV-2 cases whose customer update is overdue (the cadence runs after the first reply). */
export async function listCadenceMissed(db: DbOrTx, now: Date): Promise<CaseLine[]> {
  return db<CaseLine[]>`
    select ${caseLine(db)}, c.next_update_due_at as at
    from cases c left join app_users u on u.id = c.owner_id
    where ${open(db)} and c.severity in ('SEV-1', 'SEV-2') and c.next_update_due_at < ${now}
    order by c.next_update_due_at, c.number limit ${sectionLimit}`
}

export type AwaitingApprovalLine = {
  caseId: string
  number: number
  subject: string
  severity: string
  version: number
  since: Date
  approvers: string[]
  linksExpired: boolean
  total: number
}

/** Replies waiting for an approver's decision, oldest ask first. */
export async function listAwaitingApproval(db: DbOrTx, now: Date): Promise<AwaitingApprovalLine[]> {
  return db<AwaitingApprovalLine[]>`
    select c.id as "caseId", c.number, c.subject, c.severity, d.version, min(r.created_at) as since,
           array_agg(distinct coalesce(nullif(u.name, ''), u.email)) as approvers,
           bool_and(r.expires_at <= ${now}) as "linksExpired", (count(*) over ())::int as total
    from approval_requests r
    join cases c on c.id = r.case_id
    join drafts d on d.id = r.draft_id
    join app_users u on u.id = r.approver_id
    where r.decided_at is null and r.voided_at is null
    group by c.id, c.number, c.subject, c.severity, d.version
    order by since, c.number limit ${sectionLimit}`
}

export type FailedSendLine = {
  caseId: string
  number: number
  subject: string
  severity: string
  outboxId: string
  error: string | null
  queuedAt: Date
  total: number
}

/** Approved replies that failed for good and were not followed by a reply that went out. */
export async function listFailedSends(db: DbOrTx): Promise<FailedSendLine[]> {
  return db<FailedSendLine[]>`
    select c.id as "caseId", c.number, c.subject, c.severity, o.id as "outboxId", o.last_error as error,
           o.created_at as "queuedAt", (count(*) over ())::int as total
    from outbox o join cases c on c.id = o.case_id
    where o.status = 'failed'
      and not exists (select 1 from outbox later where later.case_id = o.case_id and later.status = 'sent' and later.created_at > o.created_at)
    order by o.created_at desc limit ${sectionLimit}`
}

export type PreventionLine = {
  caseId: string | null
  number: number | null
  title: string
  dueOn: string
  ownerName: string | null
  total: number
}

/**
 * Open prevention actions (post-incident reviews, migration 00009) whose due date has passed in
 * the org's calendar: due on the 22nd, overdue from the 23rd.
 */
export async function listOverduePreventionActions(tx: Tx, localDate: string): Promise<PreventionLine[]> {
  return tx<PreventionLine[]>`
    select c.id as "caseId", c.number, p.title, to_char(p.due_on, 'YYYY-MM-DD') as "dueOn",
           coalesce(nullif(u.name, ''), u.email) as "ownerName", (count(*) over ())::int as total
    from prevention_actions p
    left join cases c on c.id = p.case_id
    left join app_users u on u.id = p.owner_id
    where p.status = 'open' and p.due_on < ${localDate}::date
    order by p.due_on, c.number limit ${sectionLimit}`
}

export type FirstResponseFigure = {
  severity: string
  replies: number
  medianMinutes: number
  targetMinutes: number | null
  withinTarget: number
}
export type ComplianceFigure = { clock: 'first response' | 'resolution'; met: number; total: number }

/**
 * Yesterday's first responses per severity: how many, the median time from opening to the
 * reply (wall clock) against the target, and how many were within their due instant.
 */
export async function firstResponseFigures(db: DbOrTx, from: Date, to: Date, policy: SlaPolicy): Promise<FirstResponseFigure[]> {
  return db<FirstResponseFigure[]>`
    select c.severity, count(*)::int as replies,
           (percentile_cont(0.5) within group (order by extract(epoch from c.first_response_at - c.opened_at)) / 60)::float8 as "medianMinutes",
           (${db.json(policy as never)}::jsonb -> c.severity ->> 'firstResponseMinutes')::int as "targetMinutes",
           (count(*) filter (where c.first_response_at <= c.first_response_due_at))::int as "withinTarget"
    from cases c
    where c.first_response_at >= ${from} and c.first_response_at < ${to}
    group by c.severity order by c.severity`
}

export type OverallFirstResponse = { replies: number; medianMinutes: number | null }

export async function overallFirstResponse(db: DbOrTx, from: Date, to: Date): Promise<OverallFirstResponse> {
  const [row] = await db<OverallFirstResponse[]>`
    select count(*)::int as replies,
           (percentile_cont(0.5) within group (order by extract(epoch from c.first_response_at - c.opened_at)) / 60)::float8 as "medianMinutes"
    from cases c
    where c.first_response_at >= ${from} and c.first_response_at < ${to}`
  return row!
}

/**
 * SLA compliance for yesterday: every clock that settled that day, counted once, on the day it
 * settled. A clock met on time settles when it stopped (reply sent, case resolved); a missed
 * one settles at its due instant, whether it stopped later or is still running. Cases finished
 * without a reply, and resolution clocks paused on the customer, have nothing to settle.
 * Both kinds of clock have due >= the day's start, which is the indexed range.
 */
export async function complianceFigures(db: DbOrTx, from: Date, to: Date): Promise<ComplianceFigure[]> {
  return db<ComplianceFigure[]>`
    with first_response as (
      select c.first_response_at is not null and c.first_response_at <= c.first_response_due_at as met,
             case when c.first_response_at <= c.first_response_due_at then c.first_response_at else c.first_response_due_at end as settled_at
      from cases c
      where c.first_response_due_at >= ${from}
        and not (c.first_response_at is null and c.status in ('resolved', 'closed')) and not c.setup_test and c.merged_into is null
    ), resolution as (
      select coalesce(c.resolved_at, c.closed_at) is not null and coalesce(c.resolved_at, c.closed_at) <= c.resolution_due_at as met,
             case when coalesce(c.resolved_at, c.closed_at) <= c.resolution_due_at then coalesce(c.resolved_at, c.closed_at) else c.resolution_due_at end as settled_at
      from cases c
      where c.resolution_due_at >= ${from}
        and not (c.resolution_paused_at is not null and coalesce(c.resolved_at, c.closed_at) is null) and not c.setup_test and c.merged_into is null
    )
    select 'first response' as clock, (count(*) filter (where met))::int as met, count(*)::int as total
    from first_response where settled_at >= ${from} and settled_at < ${to}
    union all
    select 'resolution', (count(*) filter (where met))::int, count(*)::int
    from resolution where settled_at >= ${from} and settled_at < ${to}`
}

/** The last digest runs of the org (admin page). */
export async function listRecentDigestRuns(db: DbOrTx, limit = 7) {
  return db<
    {
      localDate: string
      status: string
      reason: string | null
      recipients: string[]
      sentAt: Date | null
      createdAt: Date
      computeMs: number | null
    }[]
  >`
    select to_char(local_date, 'YYYY-MM-DD') as "localDate", status, reason, recipients, sent_at as "sentAt",
           created_at as "createdAt", compute_ms as "computeMs"
    from digest_runs order by local_date desc limit ${limit}`
}
