import type { Tx } from '../db.ts'
import { compliance, ratio, type MetricsReport } from '../metrics/metrics.ts'
import { formatPercent, formatSeconds } from '../metrics/format.ts'

// The playbook's scorecard: every metric of its table, its target and where the period stands,
// for the same cohort as the rest of the metrics page (the cases opened in the period). Most rows
// read the figures the page already computed; four need their own rows: ticket counts
// (escalation rate), recovery plans' 90-day check (recovery success), prevention actions
// (prevention implementation) and settled customer-update deadlines (update cadence), read in
// one statement (loadFacts).

export type ScoreStatus = 'met' | 'missed' | 'no_data'

export type ScoreRow = {
  metric: string
  measures: string
  target: string
  value: string
  status: ScoreStatus
  /** What the value rests on ("18 of 19 cases"), or why there is none. */
  basis: string
}

/** The playbook's targets (percent unless said). */
export const targets = {
  csat: 4.0,
  escalationRate: 5,
  repeatRate: 10,
  slaCompliance: 95,
  recoverySuccess: 90,
  prevention: 100,
  // The playbook sets no figure for the update cadence: held to the SLA's own 95%.
  updateCadence: 95,
}

export type Facts = {
  months: number
  tickets: number
  escalations: number
  firstMonth: string | null
  lastMonth: string | null
  plans: number
  maintained: number
  actionsDone: number
  actionsDue: number
  updatesMet: number
  updatesMissed: number
}

/**
 * The four figures the cases themselves do not hold, for the cases opened in [from, to), in one
 * statement that never walks the period's cases for the months: the escalations are the daily
 * rollups' counted cases (sql/00040) of the months with a ticket count, whole weeks inside a
 * month and its edge days (the cases themselves only when the rollups count days in another zone
 * than the page's); recovery plans, prevention actions and settled update deadlines are one
 * UNION ALL of their rows joined once to the period's cases (an empty side costs nothing: the
 * join never reads the other); the running update deadlines already past come from the open
 * cases' index (cases_open_update_due). No shared cohort CTE: PostgreSQL materialized it, every
 * case of the period, and scanned it once per figure.
 */
export async function loadFacts(tx: Tx, report: MetricsReport): Promise<Facts> {
  const { from, to, timezone } = report.period
  // As the report's own transaction (src/metrics/metrics.ts): compiling this plan would cost more
  // than running it. Transaction-local.
  await tx`select set_config('jit', 'off', true)`
  // Whole calendar months (in the org's zone) that the period touches and that have a count.
  const [row] = await tx<Facts[]>`
    with months as (
      select t.month, t.tickets, (t.month + interval '1 month')::date as next,
             (t.month::timestamp at time zone ${timezone}) as starts,
             ((t.month + interval '1 month')::timestamp at time zone ${timezone}) as ends
      from ticket_counts t
      where t.month >= date_trunc('month', ${from}::timestamptz at time zone ${timezone})::date
        and t.month < (${to}::timestamptz at time zone ${timezone})::date
    )
    select
      (select count(*)::int from months) as months,
      (select coalesce(sum(tickets), 0)::int from months) as tickets,
      case when (select metrics_zone(o.timezone) from orgs o where o.id = app_org_id()) = ${timezone}
        then (select coalesce(sum(r.cases), 0)::int from months m join metrics_rollups r
                on r.span = 'week' and r.day >= m.month and r.day <= m.next - 7)
           + (select coalesce(sum(r.cases), 0)::int from months m join metrics_rollups r
                on r.span = 'day' and r.day >= m.month and r.day < m.next
                and not (r.day - (extract(isodow from r.day)::int - 1) >= m.month
                         and r.day - (extract(isodow from r.day)::int - 1) <= m.next - 7))
        else (select count(*)::int from months m join cases c on c.opened_at >= m.starts and c.opened_at < m.ends
                where not c.setup_test and c.merged_into is null)
      end as escalations,
      (select to_char(min(month), 'YYYY-MM') from months) as "firstMonth",
      (select to_char(max(month), 'YYYY-MM') from months) as "lastMonth",
      x.plans, x.maintained, x."actionsDone", x."actionsDue", x."updatesMet", x."updatesMissed" + k.running as "updatesMissed"
    from
      (select count(*) filter (where x.kind = 'plan' and x.yes is not null)::int as plans,
              count(*) filter (where x.kind = 'plan' and x.yes)::int as maintained,
              count(*) filter (where x.kind = 'action' and x.yes)::int as "actionsDone",
              count(*) filter (where x.kind = 'action' and (x.yes or x.due_on < (select (now() at time zone o.timezone)::date
                                                                                 from orgs o where o.id = app_org_id())))::int as "actionsDue",
              count(*) filter (where x.kind = 'deadline' and x.yes)::int as "updatesMet",
              count(*) filter (where x.kind = 'deadline' and not x.yes)::int as "updatesMissed"
       from (select p.case_id, 'plan' as kind, p.relationship_maintained as yes, null::date as due_on from recovery_plans p
             union all
             select a.case_id, 'action', a.status = 'done', a.due_on from prevention_actions a
             union all
             select u.case_id, 'deadline', u.met, null from update_deadlines u) x
       join cases c on c.id = x.case_id
       where c.opened_at >= ${from} and c.opened_at < ${to} and not c.setup_test and c.merged_into is null) x,
      (select count(*)::int as running from cases c
       where c.next_update_due_at < now() and c.status not in ('resolved', 'closed') and c.status <> 'waiting_customer'
         and c.opened_at >= ${from} and c.opened_at < ${to} and not c.setup_test and c.merged_into is null) k`
  return row!
}

const of = (part: number, whole: number, noun: string) => `${part} of ${whole} ${noun}`

function share(
  metric: string,
  measures: string,
  value: number | null,
  target: number,
  direction: 'at_least' | 'below',
  basis: string,
  empty: string,
): ScoreRow {
  const met = value === null ? null : direction === 'at_least' ? value >= target : value < target
  return {
    metric,
    measures,
    target: direction === 'at_least' ? `${target}%${target < 100 ? '+' : ''}` : `< ${target}%`,
    value: formatPercent(value),
    status: met === null ? 'no_data' : met ? 'met' : 'missed',
    basis: value === null ? empty : basis,
  }
}

/** First response and resolution: each severity's median against its own target. */
function perSeverity(report: MetricsReport, clock: 'fr' | 'res'): ScoreRow {
  const rows = report.bySeverity.filter((s) => (clock === 'fr' ? s.frMedian : s.resMedian) !== null)
  const over = rows.filter((s) => (clock === 'fr' ? s.frMedian! > s.frTargetSeconds : s.resMedian! > s.resTargetSeconds))
  return {
    metric: clock === 'fr' ? 'First response time' : 'Time to resolution',
    measures: clock === 'fr' ? 'Time to acknowledgment (median)' : 'End-to-end resolution time (median)',
    target: 'Per severity SLA',
    value: rows
      .map(
        (s) =>
          `${s.severity} ${formatSeconds(clock === 'fr' ? s.frMedian : s.resMedian)} / ${formatSeconds(clock === 'fr' ? s.frTargetSeconds : s.resTargetSeconds)}`,
      )
      .join(' · '),
    status: rows.length === 0 ? 'no_data' : over.length ? 'missed' : 'met',
    basis:
      rows.length === 0
        ? 'No case of the period has one yet.'
        : over.length
          ? `Over target: ${over.map((s) => s.severity).join(', ')}`
          : 'Every severity within its target',
  }
}

export async function loadScorecard(tx: Tx, report: MetricsReport): Promise<ScoreRow[]> {
  const f = await loadFacts(tx, report)
  const o = report.overall
  const csat = o.csatAverage
  const months = f.firstMonth === f.lastMonth ? f.firstMonth : `${f.firstMonth} to ${f.lastMonth}`
  return [
    perSeverity(report, 'fr'),
    perSeverity(report, 'res'),
    {
      metric: 'Customer satisfaction',
      measures: 'Post-escalation CSAT',
      target: `${targets.csat.toFixed(1)}/5.0+`,
      value: csat === null ? '—' : `${csat.toFixed(2)}/5`,
      status: csat === null ? 'no_data' : csat >= targets.csat ? 'met' : 'missed',
      basis: csat === null ? 'No rating yet.' : `${o.csatCount} ${o.csatCount === 1 ? 'rating' : 'ratings'}`,
    },
    share(
      'Escalation rate',
      'Escalations / total tickets',
      f.tickets > 0 ? ratio(f.escalations, f.tickets) : null,
      targets.escalationRate,
      'below',
      `${f.escalations} escalations, ${f.tickets} tickets (${months}, ${f.months} ${f.months === 1 ? 'month' : 'months'})`,
      'No ticket count for these months: an admin enters them under Ticket counts.',
    ),
    share(
      'Repeat escalation',
      'Same customer escalated again within 90 days',
      ratio(report.repeats.repeats, report.repeats.cases),
      targets.repeatRate,
      'below',
      of(report.repeats.repeats, report.repeats.cases, 'cases'),
      'No case in the period.',
    ),
    share(
      'SLA compliance',
      'Resolved within SLA',
      compliance(o.resMet, o.resBreached),
      targets.slaCompliance,
      'at_least',
      of(o.resMet, o.resMet + o.resBreached, 'cases whose resolution deadline settled'),
      'No resolution deadline settled yet.',
    ),
    share(
      'Recovery success',
      'Relationship maintained at the 90-day check',
      ratio(f.maintained, f.plans),
      targets.recoverySuccess,
      'at_least',
      of(f.maintained, f.plans, 'recovery plans checked'),
      'No recovery plan has had its 90-day check.',
    ),
    share(
      'Prevention implementation',
      'Post-incident prevention actions completed',
      ratio(f.actionsDone, f.actionsDue),
      targets.prevention,
      'at_least',
      of(f.actionsDone, f.actionsDue, 'actions done or past due'),
      'No prevention action done or due yet.',
    ),
    share(
      'Update cadence',
      "Customer updates sent before the severity's cadence ran out",
      compliance(f.updatesMet, f.updatesMissed),
      targets.updateCadence,
      'at_least',
      of(f.updatesMet, f.updatesMet + f.updatesMissed, 'update deadlines'),
      'No update deadline settled yet.',
    ),
  ]
}
