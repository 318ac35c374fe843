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

// Open work and its clock state are the queue's own definitions (sql/00022), so the digest's
// "3 breached, 2 at risk" is what the queue shows at that instant. A set-up test case (mail to
// the org's +setup- address) is nobody's work: both leave it out.
const open = openWorkSql
type Fragment = ReturnType<typeof openWorkSql>

export type CaseSections = Record<'breached' | 'atRisk' | 'turningAtRisk' | 'unowned' | 'cadenceMissed', CaseLine[]>

/**
 * The five sections about open cases, in one statement over the org's open cases (read once):
 * - breached: past their earliest running deadline, longest overdue first;
 * - atRisk: at risk now (the queue's amber), not yet breached; soonest deadline first;
 * - turningAtRisk: not at risk yet, but turning at risk within the next 24 hours (what today will bring);
 * - unowned: nobody owns them, most urgent first;
 * - cadenceMissed: SEV-1 and SEV-2 cases whose customer update is overdue (the cadence runs after the first reply).
 * Each at most `sectionLimit` lines, with its total.
 */
export async function listCaseSections(db: DbOrTx, now: Date): Promise<CaseSections> {
  // Each section: its lines in its order (n), at most sectionLimit of them, and its total.
  const lines = (section: keyof CaseSections, at: 'next_deadline_at' | 'next_update_due_at', where: Fragment, order: Fragment) => db`
    (select ${section} as section, id, number, subject, severity, status, "ownerName", clock, ${db(at)} as at,
            (count(*) over ())::int as total, row_number() over (order by ${order}) as n
     from open_cases where ${where} order by ${order} limit ${sectionLimit})`
  const rows = await db<(CaseLine & { section: keyof CaseSections; n: number })[]>`
    with open_cases as materialized (
      select c.id, c.number, c.subject, c.severity, c.status, c.owner_id, coalesce(nullif(u.name, ''), u.email) as "ownerName",
             case when c.next_deadline_at is null then null
                  when c.first_response_at is null and c.next_deadline_at = c.first_response_due_at then 'first response'
                  when c.next_deadline_at = c.next_update_due_at then 'update'
                  else 'resolution' end as clock,
             c.next_deadline_at, c.next_at_risk_at, c.next_update_due_at, ${clockStateSql(db, now)} as state
      from cases c left join app_users u on u.id = c.owner_id
      where ${open(db)}
    )
    ${lines('breached', 'next_deadline_at', db`state = 'breached'`, db`next_deadline_at, number`)}
    union all
    ${lines('atRisk', 'next_deadline_at', db`state = 'at_risk'`, db`next_deadline_at, number`)}
    union all
    ${lines(
      'turningAtRisk',
      'next_deadline_at',
      db`state = 'ok' and next_at_risk_at <= ${now}::timestamptz + interval '24 hours'`,
      db`next_deadline_at, number`,
    )}
    union all
    ${lines('unowned', 'next_deadline_at', db`owner_id is null`, db`next_deadline_at nulls last, number`)}
    union all
    ${lines('cadenceMissed', 'next_update_due_at', db`severity in ('SEV-1', 'SEV-2') and next_update_due_at < ${now}`, db`next_update_due_at, number`)}
    order by section, n`
  const sections: CaseSections = { breached: [], atRisk: [], turningAtRisk: [], unowned: [], cadenceMissed: [] }
  for (const { section, n: _n, ...row } of rows) sections[section].push(row)
  return sections
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
