import { REPEAT_WINDOW_DAYS } from '../cases/repeats.ts'
import type { DbOrTx } from '../db.ts'
import type { Week } from './period.ts'

// Every figure is computed in SQL over the cases opened in [from, to): an index range scan on
// cases (org_id, opened_at) under row-level security, then aggregates. Durations are the stored
// stopped clocks (00009: working time under a business calendar, wall time otherwise);
// compliance compares the stored instants with the stored deadlines, which already carry the
// calendar. Each query runs in the caller's withOrg transaction.

/** What one group of cases adds up to. Seconds are null when no case of the group has one. */
export type CaseAggregate = {
  cases: number
  open: number
  responded: number
  frMedian: number | null
  frP90: number | null
  /** The customer's wait on the wall clock (equal to frMedian without a calendar). */
  frWallMedian: number | null
  frMet: number
  frBreached: number
  resolved: number
  resMedian: number | null
  resP90: number | null
  resMet: number
  resBreached: number
  surveyed: number
  csatCount: number
  csatAverage: number | null
}

/** One owner's cases (null: the unowned ones); undefined: everyone's. */
export type OwnerFilter = string | null | undefined

/** 'working' when the org has a business calendar: the stored durations are working time. */
export type Clock = 'working' | 'wall'

/**
 * The aggregate columns over `c`, a row of the cohort CTE below. A first response is breached
 * when sent late, or when none was sent and the deadline passed before the case ended (a case
 * closed unanswered before its deadline, e.g. a duplicate, counts neither way). A resolution is
 * breached when late, or when an unfinished case that is not waiting on the customer is past its
 * deadline. Cases whose outcome is not known yet count in neither. One percentile_cont per
 * duration: the median and the p90 come from one sort. The wall-clock median is sorted for only
 * when the durations are working time (otherwise it is the same number).
 */
const aggregateColumns = (db: DbOrTx, clock: Clock) => db`
  count(c.id)::int as cases,
  count(*) filter (where c.status not in ('resolved', 'closed'))::int as open,
  count(c.first_response_at)::int as responded,
  percentile_cont(array[0.5, 0.9]) within group (order by c.first_response_seconds) as "frPercentiles",
  ${
    clock === 'working'
      ? db`percentile_cont(0.5) within group (order by extract(epoch from c.first_response_at - c.opened_at))::float8`
      : db`null::float8`
  } as "frWallMedian",
  count(*) filter (where c.first_response_at <= c.first_response_due_at)::int as "frMet",
  count(*) filter (where c.first_response_at > c.first_response_due_at
                      or (c.first_response_at is null and c.first_response_due_at <= coalesce(c.resolved_at, c.closed_at, now())))::int as "frBreached",
  count(c.resolved_at)::int as resolved,
  percentile_cont(array[0.5, 0.9]) within group (order by c.resolution_seconds) as "resPercentiles",
  count(*) filter (where c.resolved_at <= c.resolution_due_at)::int as "resMet",
  count(*) filter (where c.resolved_at > c.resolution_due_at
                      or (c.resolved_at is null and c.closed_at is null and c.resolution_paused_at is null
                          and c.resolution_due_at <= now()))::int as "resBreached",
  count(*) filter (where c.rating is not null or c.asked)::int as surveyed,
  count(c.rating)::int as "csatCount",
  avg(c.rating)::float8 as "csatAverage"`

/**
 * The cases opened in [from, to), read once (materialized): the columns the aggregates use,
 * each case's latest rating (its CSAT), and whether its resolution message, which carries the
 * rating link, was sent. Ratings and sends are hash-joined to the materialized cases, not probed
 * per case: a year of an org's cases can be a hundred thousand rows.
 */
const cohort = (db: DbOrTx, from: Date, to: Date, owner?: OwnerFilter) => db`
  base as materialized (
    select c.id, c.severity, c.owner_id, c.source, c.status, c.opened_at, c.first_response_at, c.first_response_due_at,
           c.first_response_seconds, c.resolved_at, c.resolution_due_at, c.resolution_seconds, c.closed_at, c.resolution_paused_at
    from cases c
    where c.opened_at >= ${from} and c.opened_at < ${to} and not c.setup_test and c.merged_into is null -- set-up test messages are not escalations, nor is a case merged into another
      ${owner === undefined ? db`` : owner === null ? db`and c.owner_id is null` : db`and c.owner_id = ${owner}`}
  ),
  rated as (
    select distinct on (x.case_id) x.case_id, x.rating
    from csat_responses x join base k on k.id = x.case_id
    order by x.case_id, x.created_at desc
  ),
  asked as (
    select distinct o.case_id
    from outbox o join drafts d on d.id = o.draft_id join base k on k.id = o.case_id
    where o.status = 'sent' and d.purpose = 'resolution'
  ),
  cohort as (
    select b.*, r.rating, a.case_id is not null as asked
    from base b left join rated r on r.case_id = b.id left join asked a on a.case_id = b.id
  )`

type AggregateRow = Omit<CaseAggregate, 'frMedian' | 'frP90' | 'resMedian' | 'resP90'> & {
  frPercentiles: (number | null)[] | null
  resPercentiles: (number | null)[] | null
}

function fromRow<T extends AggregateRow>(row: T): Omit<T, 'frPercentiles' | 'resPercentiles'> & CaseAggregate {
  const { frPercentiles, resPercentiles, ...rest } = row
  return {
    ...rest,
    frWallMedian: rest.frWallMedian ?? frPercentiles?.[0] ?? null,
    frMedian: frPercentiles?.[0] ?? null,
    frP90: frPercentiles?.[1] ?? null,
    resMedian: resPercentiles?.[0] ?? null,
    resP90: resPercentiles?.[1] ?? null,
  }
}

export type SeverityAggregate = CaseAggregate & { severity: string }
export type OwnerAggregate = CaseAggregate & { ownerId: string | null; ownerName: string | null }

export type PeriodAggregates = {
  overall: CaseAggregate
  bySeverity: SeverityAggregate[]
  /** Busiest first; ownerId null = unowned. */
  byOwner: OwnerAggregate[]
  bySource: { source: string; cases: number }[]
  /** Cases by latest rating, 5 down to 1. */
  ratings: { rating: number; cases: number }[]
}

type GroupRow = AggregateRow & {
  grouped: number
  severity: string | null
  ownerId: string | null
  ownerName: string | null
  ratingCounts: number[]
  sourceCounts: Record<string, number> | null
}

// grouping(severity, owner_id): a bit is set for each column a row is NOT grouped by.
const OVERALL = 0b11
const BY_SEVERITY = 0b01
const BY_OWNER = 0b10

/**
 * Overall, per severity and per owner (durations, compliance, CSAT), and the count per source
 * and per rating, from one read of the period's cases.
 */
export async function periodAggregates(db: DbOrTx, from: Date, to: Date, clock: Clock): Promise<PeriodAggregates> {
  const rows = await db<GroupRow[]>`
    with ${cohort(db, from, to)},
    groups as (
      select grouping(c.severity, c.owner_id) as grouped, c.severity, c.owner_id as "ownerId",
             ${aggregateColumns(db, clock)},
             array[count(*) filter (where c.rating = 5), count(*) filter (where c.rating = 4), count(*) filter (where c.rating = 3),
                   count(*) filter (where c.rating = 2), count(*) filter (where c.rating = 1)]::int[] as "ratingCounts"
      from cohort c
      group by grouping sets ((), (c.severity), (c.owner_id))
    )
    select g.*, coalesce(nullif(u.name, ''), u.email) as "ownerName",
           case when g.grouped = ${OVERALL} then (select jsonb_object_agg(source, n) from (select source, count(*) as n from base group by source) s) end as "sourceCounts"
    from groups g left join app_users u on u.id = g."ownerId"
    order by g.cases desc, "ownerName", g.severity`
  const overallRow = rows.find((r) => r.grouped === OVERALL)!
  const strip = ({ grouped: _g, severity: _s, ownerId: _o, ownerName: _n, ratingCounts: _r, sourceCounts: _c, ...rest }: GroupRow) =>
    fromRow(rest)
  return {
    overall: strip(overallRow),
    bySeverity: rows.filter((r) => r.grouped === BY_SEVERITY).map((r) => ({ ...strip(r), severity: r.severity! })),
    byOwner: rows
      .filter((r) => r.grouped === BY_OWNER)
      .map((r) => ({ ...strip(r), ownerId: r.ownerId, ownerName: r.ownerId ? r.ownerName : null })),
    bySource: Object.entries(overallRow.sourceCounts ?? {})
      .map(([source, cases]) => ({ source, cases: Number(cases) }))
      .sort((a, b) => b.cases - a.cases || a.source.localeCompare(b.source)),
    ratings: [5, 4, 3, 2, 1].map((rating, i) => ({ rating, cases: overallRow.ratingCounts[i] ?? 0 })),
  }
}

export type WeekAggregate = CaseAggregate & { week: string }

/** One row per week, empty weeks included (zero cases, null durations). */
export async function aggregateByWeek(db: DbOrTx, weeks: Week[], clock: Clock, owner?: OwnerFilter): Promise<WeekAggregate[]> {
  if (!weeks.length) return []
  // width_bucket puts each case in its week (1…n) by the weeks' boundaries: a hash join, not a range join.
  const bounds = [...weeks.map((w) => w.start), weeks.at(-1)!.end].map((d) => d.toISOString())
  const rows = await db<(AggregateRow & { week: string })[]>`
    with ${cohort(db, weeks[0]!.start, weeks.at(-1)!.end, owner)}
    select w.label as week, ${aggregateColumns(db, clock)}
    from unnest(${weeks.map((w) => w.label)}::text[]) with ordinality as w(label, i)
    left join (select *, width_bucket(opened_at, ${bounds}::timestamptz[]) as bucket from cohort) c on c.bucket = w.i
    group by w.label, w.i
    order by w.i`
  return rows.map(fromRow)
}

export type ApprovalWaits = {
  asks: number
  decided: number
  pending: number
  median: number | null
  p90: number | null
  longestPending: number | null
}

/**
 * Time waiting for an approver, from the request to the decision. One ask emails every approver
 * (one row each, same created_at); the first decision ends the wait. Asks that lapsed (a newer
 * version, new mail, expiry) without a decision count in `asks` only.
 */
export async function approvalWaits(db: DbOrTx, from: Date, to: Date): Promise<ApprovalWaits> {
  const [row] = await db<ApprovalWaits[]>`
    with asks as (
      select r.case_id, r.created_at,
             min(r.wait_seconds) filter (where r.decided_at is not null) as wait,
             bool_or(r.decided_at is null and r.voided_at is null and r.expires_at > now()) as pending
      from approval_requests r join cases c on c.id = r.case_id
      where c.opened_at >= ${from} and c.opened_at < ${to}
      group by r.case_id, r.created_at
    )
    select count(*)::int as asks,
           count(wait)::int as decided,
           count(*) filter (where wait is null and pending)::int as pending,
           percentile_cont(0.5) within group (order by wait) as median,
           percentile_cont(0.9) within group (order by wait) as p90,
           max(extract(epoch from now() - created_at)) filter (where wait is null and pending)::float8 as "longestPending"
    from asks`
  return row!
}

export type RepeatEscalations = { cases: number; repeats: number }

/**
 * Cases that are repeat escalations (cases/repeats.ts): each case is compared with the one before
 * it of the same customer, by address and by account, in one pass over the period and the window
 * ahead of it (window functions, no per-case probes; test/cases/repeats.test.ts holds it to the
 * per-case definition).
 */
export async function repeatEscalations(db: DbOrTx, from: Date, to: Date): Promise<RepeatEscalations> {
  const since = new Date(from.getTime() - REPEAT_WINDOW_DAYS * 86_400_000)
  const [row] = await db<RepeatEscalations[]>`
    with scope as (
      select c.customer_email, c.account_id, c.opened_at,
             c.opened_at - lag(c.opened_at) over (partition by c.customer_email order by c.opened_at, c.number) as since_email,
             c.opened_at - lag(c.opened_at) over (partition by c.account_id order by c.opened_at, c.number) as since_account
      from cases c where c.opened_at >= ${since} and c.opened_at < ${to} and not c.setup_test and c.merged_into is null
    )
    select count(*)::int as cases,
           count(*) filter (where (customer_email is not null and since_email <= make_interval(days => ${REPEAT_WINDOW_DAYS}))
                               or (account_id is not null and since_account <= make_interval(days => ${REPEAT_WINDOW_DAYS})))::int as repeats
    from scope where opened_at >= ${from}`
  return row!
}

export type CoachingCase = {
  id: string
  number: number
  subject: string
  severity: string
  status: string
  openedAt: Date
  frBreached: boolean
  resBreached: boolean
  rating: number | null
}

/**
 * An owner's cases of the period worth talking about: a deadline missed (by the definitions of
 * aggregateColumns) or a rating of 3 or less; the worst first, at most `limit`.
 */
export async function casesToDiscuss(db: DbOrTx, from: Date, to: Date, owner: string | null, limit = 25): Promise<CoachingCase[]> {
  return db<CoachingCase[]>`
    with ${cohort(db, from, to, owner)},
    flagged as (
      select c.id, c.severity, c.status, c.opened_at, c.rating,
             (c.first_response_at > c.first_response_due_at
               or (c.first_response_at is null and c.first_response_due_at <= coalesce(c.resolved_at, c.closed_at, now()))) as fr_breached,
             (c.resolved_at > c.resolution_due_at
               or (c.resolved_at is null and c.closed_at is null and c.resolution_paused_at is null and c.resolution_due_at <= now())) as res_breached
      from cohort c
    )
    select f.id, k.number, k.subject, f.severity, f.status, f.opened_at as "openedAt", coalesce(f.fr_breached, false) as "frBreached",
           coalesce(f.res_breached, false) as "resBreached", f.rating
    from flagged f join cases k on k.id = f.id
    where f.fr_breached or f.res_breached or f.rating <= 3
    order by (f.fr_breached is true)::int + (f.res_breached is true)::int + (f.rating <= 3)::int desc, f.severity, f.opened_at desc
    limit ${limit}`
}
