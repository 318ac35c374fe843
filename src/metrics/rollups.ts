import type { DbOrTx } from '../db.ts'
import type { Period, Week } from './period.ts'
import type {
  ApprovalWaits,
  CaseAggregate,
  Clock,
  OwnerAggregate,
  OwnerFilter,
  PeriodAggregates,
  SeverityAggregate,
  WeekAggregate,
} from './queries.ts'

// The metrics page from the daily rollups (sql/00040): one read of the period's and the trend's
// days, summed per severity, owner, "in the period" and trend week, plus a count of the
// unfinished cases already past a deadline (the only figures that depend on the hour). Counts
// add up; medians do not, so each day keeps its cases' stopped clocks as float8 bytes and the
// percentiles are computed here over exactly the values PostgreSQL's percentile_cont sorts, with
// its interpolation (same arithmetic, same result). queries.ts keeps the per-case computation;
// test/metrics/rollups.test.ts holds the two equal.

type Leaf = {
  severity: string
  ownerId: string | null
  inPeriod: boolean
  /** Trend week 0…11, or null outside the trend. */
  week: number | null
  cases: number
  open: number
  responded: number
  frMet: number
  frBreached: number
  resolved: number
  resMet: number
  resBreached: number
  surveyed: number
  rated: number
  ratingSum: number
  ratings: number[]
  repeats: number
  asks: number
  fr: Float64Array
  frWall: Float64Array
  res: Float64Array
  waits: Float64Array
}

type LeafRow = Omit<Leaf, 'fr' | 'frWall' | 'res' | 'waits'> & {
  /** The period's rows' counts per source (each row's `sources`), null outside the period. */
  sources: Record<string, number>[] | null
  fr: string | null
  frWall: string | null
  res: string | null
  waits: string | null
}

type LiveRow = { severity: string; ownerId: string | null; inPeriod: boolean; bucket: number; frBreached: number; resBreached: number }

type PendingAsks = { pending: number; longestPending: number | null }

export type RollupLeaves = { leaves: Leaf[]; weeks: Week[]; sources: Map<string, number>; pendingAsks: PendingAsks }

const dayOf = (week: Week) => week.label

const dayMs = (date: string) => Date.parse(`${date}T00:00:00Z`)
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10)
const WEEK = 7 * 86_400_000

/**
 * Which rollup rows cover the period and the trend: a week's row when the whole week is inside
 * the period (or wholly outside it, in the trend), else the rows of its days that are in either.
 */
export function spans(period: Period, weeks: Week[]): { weeks: string[]; days: string[] } {
  const from = dayMs(period.fromDate)
  const to = dayMs(period.toDate)
  const trendFrom = weeks.length ? dayMs(dayOf(weeks[0]!)) : from
  const trendTo = weeks.length ? trendFrom + weeks.length * WEEK : from
  const start = Math.min(from, trendFrom)
  const monday = start - ((new Date(start).getUTCDay() + 6) % 7) * 86_400_000
  const out = { weeks: [] as string[], days: [] as string[] }
  for (let week = monday; week <= Math.max(to, trendTo - 1); week += WEEK) {
    const last = week + WEEK - 86_400_000
    const inTrend = week >= trendFrom && week < trendTo
    if (week >= from && last <= to) out.weeks.push(dateOf(week))
    else if (last < from || week > to) {
      if (inTrend) out.weeks.push(dateOf(week))
    } else for (let day = week; day <= last; day += 86_400_000) if ((day >= from && day <= to) || inTrend) out.days.push(dateOf(day))
  }
  return out
}

/**
 * The rows the page sums (the period's and the trend's weeks and edge days, one read of
 * metrics_rollups, their sources' counts included) and what the hour decides. Three queries
 * issued at once: postgres.js pipelines them on the transaction's connection, so they cost about
 * one round trip. The wall-clock first responses travel only under a business calendar: on a
 * 24/7 clock they are the first responses themselves (aggregate uses frMedian).
 */
export async function loadLeaves(db: DbOrTx, orgId: string, period: Period, weeks: Week[], clock: Clock): Promise<RollupLeaves> {
  const trendStart = weeks.length ? dayOf(weeks[0]!) : period.fromDate
  const trendDays = weeks.length * 7
  const inPeriod = db`day between ${period.fromDate}::date and ${period.toDate}::date`
  const cover = spans(period, weeks)
  const covered = db`org_id = ${orgId}
    and ((span = 'week' and day = any (${cover.weeks}::date[])) or (span = 'day' and day = any (${cover.days}::date[])))`
  const rowsQuery = db<LeafRow[]>`
    select severity, owner_id as "ownerId", ${inPeriod} as "inPeriod",
           case when day >= ${trendStart}::date and day < ${trendStart}::date + ${trendDays}::int
                then (day - ${trendStart}::date) / 7 end as week,
           sum(cases)::int as cases, sum(open)::int as open, sum(responded)::int as responded, sum(fr_met)::int as "frMet",
           sum(fr_breached)::int as "frBreached", sum(resolved)::int as resolved, sum(res_met)::int as "resMet",
           sum(res_breached)::int as "resBreached", sum(surveyed)::int as surveyed, sum(rated)::int as rated,
           sum(rating_sum)::int as "ratingSum",
           array[sum(rated_5), sum(rated_4), sum(rated_3), sum(rated_2), sum(rated_1)]::int[] as ratings, sum(repeats)::int as repeats,
           sum(asks)::int as asks, encode(string_agg(approval_waits, ''::bytea), 'base64') as waits,
           encode(string_agg(fr_seconds, ''::bytea), 'base64') as fr,
           ${clock === 'working' ? db`encode(string_agg(fr_wall_seconds, ''::bytea), 'base64')` : db`null`} as "frWall",
           encode(string_agg(res_seconds, ''::bytea), 'base64') as res,
           jsonb_agg(sources) filter (where sources <> '{}' and ${inPeriod}) as sources
    from metrics_rollups
    where ${covered}
    group by 1, 2, 3, 4`
  const [rows, live, [pendingAsks]] = await Promise.all([
    rowsQuery,
    liveBreaches(db, orgId, period, weeks),
    pendingApprovals(db, orgId, period),
  ])
  const sources = new Map<string, number>()
  const leaves: Leaf[] = rows.map(({ sources: counts, ...r }) => {
    for (const row of counts ?? [])
      for (const [source, cases] of Object.entries(row)) sources.set(source, (sources.get(source) ?? 0) + cases)
    return { ...r, fr: decode(r.fr), frWall: decode(r.frWall), res: decode(r.res), waits: decode(r.waits) }
  })
  for (const row of live) {
    if (!row.frBreached && !row.resBreached) continue
    const week = weeks.length && row.bucket >= 1 && row.bucket <= weeks.length ? row.bucket - 1 : null
    if (!row.inPeriod && week === null) continue
    leavesFor(row, week, leaves).frBreached += row.frBreached
    leavesFor(row, week, leaves).resBreached += row.resBreached
  }
  for (const [source, cases] of sources) if (cases <= 0) sources.delete(source)
  return { leaves, weeks, sources, pendingAsks: pendingAsks! }
}

/**
 * What the hour decides: an unanswered or unresolved case past its deadline (queries.ts's breach
 * definitions, the part the rollups leave out). Few rows: only unfinished cases past a deadline.
 */
function liveBreaches(db: DbOrTx, orgId: string, period: Period, weeks: Week[]) {
  const from = weeks.length && weeks[0]!.start < period.from ? weeks[0]!.start : period.from
  const to = weeks.length && weeks.at(-1)!.end > period.to ? weeks.at(-1)!.end : period.to
  const bounds = [...weeks.map((w) => w.start), ...(weeks.length ? [weeks.at(-1)!.end] : [period.to])].map((d) => d.toISOString())
  // An index-only range scan of the unfinished cases by their earlier running deadline, up to now
  // (sql/00050: the index's expression, written the same).
  return db<LiveRow[]>`
    select severity, owner_id as "ownerId", opened_at >= ${period.from} and opened_at < ${period.to} as "inPeriod",
           width_bucket(opened_at, ${bounds}::timestamptz[]) as bucket,
           count(*) filter (where first_response_at is null and first_response_due_at <= now())::int as "frBreached",
           count(*) filter (where resolution_paused_at is null and resolution_due_at <= now())::int as "resBreached"
    from cases
    where org_id = ${orgId} and resolved_at is null and closed_at is null
      and least(case when first_response_at is null then first_response_due_at end,
                case when resolution_paused_at is null then resolution_due_at end) <= now()
      and not setup_test and merged_into is null and opened_at >= ${from} and opened_at < ${to}
    group by 1, 2, 3, 4`
}

/** The period's asks still pending (approvalWaits's definition), read over the open requests only. */
function pendingApprovals(db: DbOrTx, orgId: string, period: Period) {
  return db<PendingAsks[]>`
    with open_cases as (
      select distinct r.case_id from approval_requests r
      where r.org_id = ${orgId} and r.decided_at is null and r.voided_at is null and r.expires_at > now()
    ),
    asks as (
      select r.created_at, min(r.wait_seconds) filter (where r.decided_at is not null) as wait,
             bool_or(r.decided_at is null and r.voided_at is null and r.expires_at > now()) as pending
      from open_cases o join cases c on c.id = o.case_id join approval_requests r on r.case_id = o.case_id
      where c.opened_at >= ${period.from} and c.opened_at < ${period.to}
      group by r.case_id, r.created_at
    )
    select count(*) filter (where wait is null and pending)::int as pending,
           max(extract(epoch from now() - created_at)) filter (where wait is null and pending)::float8 as "longestPending"
    from asks`
}

function leavesFor(row: LiveRow, week: number | null, leaves: Leaf[]): Leaf {
  const found = leaves.find(
    (l) => l.severity === row.severity && l.ownerId === row.ownerId && l.inPeriod === row.inPeriod && l.week === week,
  )
  if (found) return found
  // An unfinished case always has a row of its day (it counts in `cases`), so this is unreachable
  // unless the rollup is behind; a row of zeros keeps the sum honest.
  const leaf: Leaf = {
    severity: row.severity,
    ownerId: row.ownerId,
    inPeriod: row.inPeriod,
    week,
    ...{ cases: 0, open: 0, responded: 0, frMet: 0, frBreached: 0, resolved: 0, resMet: 0, resBreached: 0, surveyed: 0, rated: 0 },
    ...{ ratingSum: 0, ratings: [0, 0, 0, 0, 0], repeats: 0, asks: 0 },
    ...{ fr: none, frWall: none, res: none, waits: none },
  }
  leaves.push(leaf)
  return leaf
}

/** A group's figures before the CSAT average (computed in SQL, see csatAverages). */
type Partial = { aggregate: CaseAggregate; ratingSum: number }

const none = new Float64Array(0)
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/**
 * float8send's bytes (big-endian, 8 per value), in base64, as numbers. Base64 rather than the
 * bytea's own hex: a year of an org of 1,000,000 cases is 14 MB of clocks, 19 MB of base64 to
 * send and decode against 27 MB of hex (decoded twice as fast). Decoded straight into a buffer of
 * its own, aligned for Float64Array (PostgreSQL's line breaks every 76 characters are skipped).
 */
function decode(base64: string | null): Float64Array {
  if (!base64) return none
  const bytes = Buffer.allocUnsafeSlow(Math.floor((base64.length * 3) / 4))
  const length = bytes.write(base64, 'base64')
  if (littleEndian) bytes.subarray(0, length).swap64()
  return new Float64Array(bytes.buffer, 0, length / 8)
}

/** PostgreSQL's percentile_cont over sorted values (orderedsetaggs.c: float8_lerp), null when empty. */
export function percentileCont(sorted: Float64Array, p: number): number | null {
  if (!sorted.length) return null
  const position = p * (sorted.length - 1)
  const first = Math.floor(position)
  const second = Math.ceil(position)
  const low = sorted[first]!
  if (second <= first) return low
  return low + (position - first) * (sorted[second]! - low)
}

/**
 * percentileCont at each p, without sorting: the two values around each position are found by
 * selection (quickselect, Hoare partition), which rearranges `values`. Same values, same
 * interpolation as percentileCont over the sorted array (the test holds them equal).
 */
export function percentiles(values: Float64Array, ps: number[]): (number | null)[] {
  const n = values.length
  if (!n) return ps.map(() => null)
  const ranks = [...new Set(ps.flatMap((p) => [Math.floor(p * (n - 1)), Math.ceil(p * (n - 1))]))].sort((a, b) => a - b)
  const at = new Map<number, number>()
  let from = 0
  for (const k of ranks) {
    let left = from
    let right = n - 1
    while (right > left) {
      const a = values[left]!
      const b = values[(left + right) >>> 1]!
      const c = values[right]!
      const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b
      let i = left
      let j = right
      while (i <= j) {
        while (values[i]! < pivot) i++
        while (values[j]! > pivot) j--
        if (i <= j) {
          const t = values[i]!
          values[i++] = values[j]!
          values[j--] = t
        }
      }
      if (k <= j) right = j
      else if (k >= i) left = i
      else break // between the two halves: equal to the pivot
    }
    at.set(k, values[k]!)
    from = k // everything after k is at least values[k]: the next rank is there
  }
  return ps.map((p) => {
    const position = p * (n - 1)
    const first = Math.floor(position)
    const second = Math.ceil(position)
    const low = at.get(first)!
    return second <= first ? low : low + (position - first) * (at.get(second)! - low)
  })
}

/** Every value of the arrays, in one new array (selection rearranges it). */
function concat(arrays: Float64Array[]): Float64Array {
  const values = new Float64Array(arrays.reduce((total, a) => total + a.length, 0))
  let k = 0
  for (const a of arrays) {
    values.set(a, k)
    k += a.length
  }
  return values
}

/**
 * percentiles() over the values of several arrays (a period's rollup rows), left as they were:
 * selection over one copy of them all. (Counting them first by buckets of their order, so that
 * only the wanted buckets' values were copied, measured no faster in the median at 1,000,000
 * cases, and was sixty lines of bit arithmetic.)
 */
export function groupPercentiles(arrays: Float64Array[], ps: number[]): (number | null)[] {
  return percentiles(concat(arrays), ps)
}

function aggregate(leaves: Leaf[], clock: Clock): Partial {
  const sum = (
    key: 'cases' | 'open' | 'responded' | 'frMet' | 'frBreached' | 'resolved' | 'resMet' | 'resBreached' | 'surveyed' | 'rated',
  ) => leaves.reduce((total, l) => total + l[key], 0)
  const [frMedian, frP90] = groupPercentiles(
    leaves.map((l) => l.fr),
    [0.5, 0.9],
  )
  const [resMedian, resP90] = groupPercentiles(
    leaves.map((l) => l.res),
    [0.5, 0.9],
  )
  return {
    aggregate: {
      cases: sum('cases'),
      open: sum('open'),
      responded: sum('responded'),
      frMedian,
      frP90,
      frWallMedian:
        clock === 'working'
          ? (groupPercentiles(
              leaves.map((l) => l.frWall),
              [0.5],
            )[0] ?? frMedian)
          : frMedian,
      frMet: sum('frMet'),
      frBreached: sum('frBreached'),
      resolved: sum('resolved'),
      resMedian,
      resP90,
      resMet: sum('resMet'),
      resBreached: sum('resBreached'),
      surveyed: sum('surveyed'),
      csatCount: sum('rated'),
      csatAverage: null,
    },
    ratingSum: leaves.reduce((total, l) => total + l.ratingSum, 0),
  }
}

/** avg(rating) as PostgreSQL computes it (numeric division, then float8), for every group at once. */
async function csatAverages(db: DbOrTx, groups: Partial[]): Promise<CaseAggregate[]> {
  const rated = groups.filter((g) => g.aggregate.csatCount > 0)
  if (rated.length) {
    const rows = await db<{ average: number }[]>`
      select (s::numeric / n::numeric)::float8 as average
      from unnest(${rated.map((g) => g.ratingSum)}::bigint[], ${rated.map((g) => g.aggregate.csatCount)}::bigint[]) with ordinality as x(s, n, i)
      order by i`
    rated.forEach((g, i) => (g.aggregate.csatAverage = rows[i]!.average))
  }
  return groups.map((g) => g.aggregate)
}

const groupBy = <K>(leaves: Leaf[], key: (l: Leaf) => K): Map<K, Leaf[]> => {
  const groups = new Map<K, Leaf[]>()
  for (const leaf of leaves) {
    const group = groups.get(key(leaf))
    if (group) group.push(leaf)
    else groups.set(key(leaf), [leaf])
  }
  return groups
}

export type RollupReport = PeriodAggregates & { repeats: { cases: number; repeats: number }; trend: WeekAggregate[] }

/** What periodAggregates, repeatEscalations and aggregateByWeek return, from the leaves. */
export async function reportFromLeaves(db: DbOrTx, { leaves, weeks, sources }: RollupLeaves, clock: Clock): Promise<RollupReport> {
  // A leaf without cases holds only approval asks of set-up tests or merged cases.
  const inPeriod = leaves.filter((l) => l.inPeriod && l.cases > 0)
  const bySeverity = [...groupBy(inPeriod, (l) => l.severity)]
  const byOwner = [...groupBy(inPeriod, (l) => l.ownerId)]
  const partials = [
    aggregate(inPeriod, clock),
    ...bySeverity.map(([, g]) => aggregate(g, clock)),
    ...byOwner.map(([, g]) => aggregate(g, clock)),
  ]
  const trendPartials = trendOf(leaves, weeks, clock, undefined)
  const ownerCases = byOwner.map(([ownerId], i) => ({ ownerId, cases: partials[1 + bySeverity.length + i]!.aggregate.cases }))
  const [all, names] = await Promise.all([csatAverages(db, [...partials, ...trendPartials]), ownerOrder(db, ownerCases)])
  const overall = all[0]!
  const severityRows: SeverityAggregate[] = bySeverity.map(([severity], i) => ({ ...all[1 + i]!, severity }))
  const ownerRows = byOwner.map(([ownerId], i) => ({ ...all[1 + bySeverity.length + i]!, ownerId }))
  return {
    overall,
    bySeverity: severityRows,
    byOwner: names.map(({ index, ownerName }) => ({ ...ownerRows[index]!, ownerName: ownerRows[index]!.ownerId ? ownerName : null })),
    bySource: [...sources]
      .filter(([, cases]) => cases > 0)
      .map(([source, cases]) => ({ source, cases }))
      .sort((a, b) => b.cases - a.cases || a.source.localeCompare(b.source)),
    ratings: [5, 4, 3, 2, 1].map((rating, i) => ({ rating, cases: inPeriod.reduce((total, l) => total + (l.ratings[i] ?? 0), 0) })),
    repeats: { cases: overall.cases, repeats: inPeriod.reduce((total, l) => total + l.repeats, 0) },
    trend: all.slice(partials.length).map((a, i) => ({ ...a, week: weeks[i]!.label })),
  }
}

function trendOf(leaves: Leaf[], weeks: Week[], clock: Clock, owner: OwnerFilter): Partial[] {
  const mine = owner === undefined ? leaves : leaves.filter((l) => l.ownerId === owner)
  return weeks.map((_, i) =>
    aggregate(
      mine.filter((l) => l.week === i),
      clock,
    ),
  )
}

/** One owner's 12 weeks (aggregateByWeek with an owner), from the leaves already read. */
export async function ownerTrendFromLeaves(
  db: DbOrTx,
  { leaves, weeks }: RollupLeaves,
  clock: Clock,
  owner: string | null,
): Promise<WeekAggregate[]> {
  const all = await csatAverages(db, trendOf(leaves, weeks, clock, owner))
  return all.map((a, i) => ({ ...a, week: weeks[i]!.label }))
}

/** The owners' order of periodAggregates: busiest first, then by name (PostgreSQL's collation), unowned last. */
async function ownerOrder(
  db: DbOrTx,
  owners: { ownerId: string | null; cases: number }[],
): Promise<{ index: number; ownerName: string | null }[]> {
  if (!owners.length) return []
  return db<{ index: number; ownerName: string | null }[]>`
    select (x.i - 1)::int as index, coalesce(nullif(u.name, ''), u.email) as "ownerName"
    from unnest(${owners.map((o) => o.ownerId)}::uuid[], ${owners.map((o) => o.cases)}::int[]) with ordinality as x(id, cases, i)
    left join app_users u on u.id = x.id
    order by x.cases desc, "ownerName"`
}

export type { OwnerAggregate }

/**
 * approvalWaits from the leaves: the period's asks and decided waits are stored (every case,
 * set-up tests and merged ones included, as approvalWaits reads them); what is still pending
 * depends on the hour: loadLeaves counts it over the open requests (approval_requests_open).
 */
export function approvalsFromLeaves({ leaves, pendingAsks }: RollupLeaves): ApprovalWaits {
  const mine = leaves.filter((l) => l.inPeriod)
  const [median, p90] = groupPercentiles(
    mine.map((l) => l.waits),
    [0.5, 0.9],
  )
  return {
    asks: mine.reduce((n, l) => n + l.asks, 0),
    decided: mine.reduce((n, l) => n + l.waits.length, 0),
    pending: pendingAsks.pending,
    median,
    p90,
    longestPending: pendingAsks.longestPending,
  }
}
