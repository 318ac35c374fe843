import { loadSlaSettings } from '../sla/settings.ts'
import { csvLine, type CsvValue } from '../imports/csv-safety.ts'
import { severities, type Severity } from '../cases/terms.ts'
import type { Tx } from '../db.ts'
import { trendWeeks, type Period } from './period.ts'
import {
  aggregateByWeek,
  casesToDiscuss,
  approvalWaits,
  periodAggregates,
  repeatEscalations,
  type ApprovalWaits,
  type CaseAggregate,
  type CoachingCase,
  type OwnerAggregate,
  type PeriodAggregates,
  type RepeatEscalations,
  type WeekAggregate,
} from './queries.ts'
import { approvalsFromLeaves, loadLeaves, ownerTrendFromLeaves, reportFromLeaves, type RollupLeaves } from './rollups.ts'

export type SeverityFigures = CaseAggregate & { severity: Severity; frTargetSeconds: number; resTargetSeconds: number }

export type MetricsReport = {
  period: Period
  /** 'working': durations are working time under the org's business calendar; 'wall': a 24/7 clock. */
  clock: 'working' | 'wall'
  overall: CaseAggregate
  bySeverity: SeverityFigures[]
  approval: ApprovalWaits
  repeats: RepeatEscalations
  bySource: { source: string; cases: number }[]
  csat: { rating: number; cases: number }[]
  owners: OwnerAggregate[]
  trend: WeekAggregate[]
}

const empty: CaseAggregate = {
  cases: 0,
  open: 0,
  responded: 0,
  frMedian: null,
  frP90: null,
  frWallMedian: null,
  frMet: 0,
  frBreached: 0,
  resolved: 0,
  resMedian: null,
  resP90: null,
  resMet: 0,
  resBreached: 0,
  surveyed: 0,
  csatCount: 0,
  csatAverage: null,
}

/** How loadMetrics reads: 'rollups' (the page), or 'exact' (every case of the period: the tests' oracle). */
export type MetricsSource = 'rollups' | 'exact'

/** Everything the metrics page shows, for one org and period, in the caller's withOrg transaction. */
export async function loadMetrics(tx: Tx, orgId: string, period: Period, source: MetricsSource = 'rollups'): Promise<MetricsReport> {
  return (await buildReport(tx, orgId, period, source)).report
}

async function buildReport(
  tx: Tx,
  orgId: string,
  period: Period,
  source: MetricsSource,
): Promise<{ report: MetricsReport; leaves: RollupLeaves | null }> {
  // A report, not a lookup: a year of cases is sorted several times (percentiles), which should
  // happen in memory; and JIT compiling these plans costs more than running them (measured:
  // ~450 ms of JIT against ~50 ms of work on a month of 100,000 cases). Transaction-local.
  await tx`select set_config('work_mem', '64MB', true), set_config('jit', 'off', true)`
  const { policy, calendar } = await loadSlaSettings(tx, orgId)
  const { from, to } = period
  // Sequential on purpose: one transaction is one connection, which runs one query at a time.
  const clock = calendar ? 'working' : 'wall'
  const weeks = trendWeeks(period)
  // The rollups count days in the zone PostgreSQL knows the org by (sql/00040: metrics_zone);
  // a page in any other zone (a name only one side knows) reads the cases themselves.
  const [[org], read] = await Promise.all([
    tx<{ zone: string }[]>`select metrics_zone(timezone) as zone from orgs where id = ${orgId}`,
    source === 'rollups' ? loadLeaves(tx, orgId, period, weeks, clock) : null,
  ])
  const leaves = org?.zone === period.timezone ? read : null
  let groups: PeriodAggregates, repeats: RepeatEscalations, trend: WeekAggregate[]
  if (leaves) {
    ;({ repeats, trend, ...groups } = await reportFromLeaves(tx, leaves, clock))
  } else {
    groups = await periodAggregates(tx, from, to, clock)
    repeats = await repeatEscalations(tx, from, to)
    trend = await aggregateByWeek(tx, weeks, clock)
  }
  const approval = leaves ? approvalsFromLeaves(leaves) : await approvalWaits(tx, from, to)
  const report: MetricsReport = {
    period,
    clock,
    overall: groups.overall,
    bySeverity: severities.map((severity) => {
      const { severity: _s, ...figures } = groups.bySeverity.find((g) => g.severity === severity) ?? { ...empty, severity }
      return {
        ...figures,
        severity,
        frTargetSeconds: policy[severity].firstResponseMinutes * 60,
        resTargetSeconds: policy[severity].resolutionMinutes * 60,
      }
    }),
    approval,
    repeats,
    bySource: groups.bySource,
    csat: groups.ratings,
    owners: groups.byOwner,
    trend,
  }
  return { report, leaves }
}

export type OwnerCoaching = {
  report: MetricsReport
  /** The owner's figures (undefined when they own no case opened in the period). */
  owner: OwnerAggregate | undefined
  ownerId: string | null
  ownerName: string | null
  trend: WeekAggregate[]
  cases: CoachingCase[]
}

/**
 * One owner beside the team, for a coaching conversation: the team's report, the owner's row
 * of it, their own 12 weeks and the cases worth talking about. `ownerId` null: the unowned cases.
 */
export async function loadOwnerCoaching(
  tx: Tx,
  orgId: string,
  period: Period,
  ownerId: string | null,
  source: MetricsSource = 'rollups',
): Promise<OwnerCoaching | null> {
  const [user] = ownerId
    ? await tx<{ name: string }[]>`select coalesce(nullif(name, ''), email) as name from app_users where id = ${ownerId}`
    : [{ name: '' }]
  if (!user) return null
  const { report, leaves } = await buildReport(tx, orgId, period, source)
  return {
    report,
    owner: report.owners.find((o) => o.ownerId === ownerId),
    ownerId,
    ownerName: ownerId ? user.name : null,
    trend: leaves
      ? await ownerTrendFromLeaves(tx, leaves, report.clock, ownerId)
      : await aggregateByWeek(tx, trendWeeks(period), report.clock, ownerId),
    cases: await casesToDiscuss(tx, period.from, period.to, ownerId),
  }
}

/** Met ÷ (met + breached), as a percentage; null when no case's outcome is known yet. */
export function compliance(met: number, breached: number): number | null {
  return met + breached === 0 ? null : (100 * met) / (met + breached)
}

export const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : (100 * part) / whole)

const round = (value: number | null, digits = 1): number | null => (value === null ? null : Number(value.toFixed(digits)))
const seconds = (value: number | null) => (value === null ? null : Math.round(value))

type Row = [section: string, group: string, metric: string, value: CsvValue, unit: string]

function aggregateRows(section: string, group: string, a: CaseAggregate): Row[] {
  return [
    [section, group, 'cases', a.cases, 'cases'],
    [section, group, 'still_open', a.open, 'cases'],
    [section, group, 'first_response_median', seconds(a.frMedian), 'seconds'],
    [section, group, 'first_response_p90', seconds(a.frP90), 'seconds'],
    [section, group, 'first_response_wall_median', seconds(a.frWallMedian), 'seconds'],
    [section, group, 'first_response_met', a.frMet, 'cases'],
    [section, group, 'first_response_breached', a.frBreached, 'cases'],
    [section, group, 'first_response_compliance', round(compliance(a.frMet, a.frBreached)), 'percent'],
    [section, group, 'resolved', a.resolved, 'cases'],
    [section, group, 'resolution_median', seconds(a.resMedian), 'seconds'],
    [section, group, 'resolution_p90', seconds(a.resP90), 'seconds'],
    [section, group, 'resolution_met', a.resMet, 'cases'],
    [section, group, 'resolution_breached', a.resBreached, 'cases'],
    [section, group, 'resolution_compliance', round(compliance(a.resMet, a.resBreached)), 'percent'],
    [section, group, 'csat_average', round(a.csatAverage, 2), 'rating'],
    [section, group, 'csat_responses', a.csatCount, 'cases'],
    [section, group, 'csat_surveyed', a.surveyed, 'cases'],
    [section, group, 'csat_response_rate', round(ratio(a.csatCount, a.surveyed)), 'percent'],
  ]
}

/** Every figure the page shows, one per line: section, group, metric, value, unit. */
export function* metricsCsv(report: MetricsReport): Generator<string> {
  const { period } = report
  const rows: Row[] = [
    ['period', 'all', 'from', period.fromDate, 'date'],
    ['period', 'all', 'to', period.toDate, 'date'],
    ['period', 'all', 'timezone', period.timezone, 'zone'],
    ['period', 'all', 'duration_clock', report.clock, 'clock'],
    ...aggregateRows('cases', 'all', report.overall),
    ...report.bySeverity.flatMap((s) => [
      ...aggregateRows('cases', s.severity, s),
      ['cases', s.severity, 'first_response_target', s.frTargetSeconds, 'seconds'] as Row,
      ['cases', s.severity, 'resolution_target', s.resTargetSeconds, 'seconds'] as Row,
    ]),
    ['approval', 'all', 'asks', report.approval.asks, 'asks'],
    ['approval', 'all', 'decided', report.approval.decided, 'asks'],
    ['approval', 'all', 'pending', report.approval.pending, 'asks'],
    ['approval', 'all', 'wait_median', seconds(report.approval.median), 'seconds'],
    ['approval', 'all', 'wait_p90', seconds(report.approval.p90), 'seconds'],
    ['repeats', 'all', 'cases', report.repeats.cases, 'cases'],
    ['repeats', 'all', 'repeat_escalations', report.repeats.repeats, 'cases'],
    ['repeats', 'all', 'repeat_share', round(ratio(report.repeats.repeats, report.repeats.cases)), 'percent'],
    ...report.bySource.map((s): Row => ['volume', s.source, 'cases', s.cases, 'cases']),
    ...report.csat.map((r): Row => ['csat', String(r.rating), 'cases', r.cases, 'cases']),
    ...report.owners.flatMap((o) => aggregateRows('owner', o.ownerName ?? 'unowned', o)),
    ...report.trend.flatMap((w) => aggregateRows('week', w.week, w)),
  ]
  yield csvLine(['section', 'group', 'metric', 'value', 'unit'])
  for (const row of rows) yield csvLine(row)
}
