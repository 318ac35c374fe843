import type { Tx } from '../db.ts'
import { compliance, ratio, type MetricsReport } from '../metrics/metrics.ts'
import { formatPercent, formatSeconds } from '../metrics/format.ts'

// The playbook's scorecard: every metric of its table, its target and where the period stands,
// for the same cohort as the rest of the metrics page (the cases opened in the period). Most rows
// read the figures the page already computed; four need their own rows: ticket counts
// (escalation rate), recovery plans' 90-day check (recovery success), prevention actions
// (prevention implementation) and settled customer-update deadlines (update cadence). Each of
// those is one aggregate over an index range of the period's cases.

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

type Facts = {
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

/** The four figures the cases themselves do not hold, for the cases opened in [from, to). */
async function loadFacts(tx: Tx, report: MetricsReport): Promise<Facts> {
  const { from, to, timezone } = report.period
  // Whole calendar months (in the org's zone) that the period touches and that have a count.
  const [row] = await tx<Facts[]>`
    with months as (
      select t.month, t.tickets,
             (t.month::timestamp at time zone ${timezone}) as starts,
             ((t.month + interval '1 month')::timestamp at time zone ${timezone}) as ends
      from ticket_counts t
      where t.month >= date_trunc('month', ${from}::timestamptz at time zone ${timezone})::date
        and t.month < (${to}::timestamptz at time zone ${timezone})::date
    ),
    cohort as (
      select c.id, c.status, c.next_update_due_at from cases c
      where c.opened_at >= ${from} and c.opened_at < ${to} and not c.setup_test and c.merged_into is null
    )
    select
      (select count(*)::int from months) as months,
      (select coalesce(sum(tickets), 0)::int from months) as tickets,
      (select count(*)::int from months m join cases c on c.opened_at >= m.starts and c.opened_at < m.ends
        where not c.setup_test and c.merged_into is null) as escalations,
      (select to_char(min(month), 'YYYY-MM') from months) as "firstMonth",
      (select to_char(max(month), 'YYYY-MM') from months) as "lastMonth",
      (select count(*)::int from recovery_plans p join cohort k on k.id = p.case_id where p.relationship_maintained is not null) as plans,
      (select count(*)::int from recovery_plans p join cohort k on k.id = p.case_id where p.relationship_maintained) as maintained,
      (select count(*)::int from prevention_actions a join cohort k on k.id = a.case_id where a.status = 'done') as "actionsDone",
      (select count(*)::int from prevention_actions a join cohort k on k.id = a.case_id join orgs o on o.id = a.org_id
        where a.status = 'done' or a.due_on < (now() at time zone o.timezone)::date) as "actionsDue",
      (select count(*)::int from update_deadlines u join cohort k on k.id = u.case_id where u.met) as "updatesMet",
      (select count(*)::int from update_deadlines u join cohort k on k.id = u.case_id where not u.met)
        + (select count(*)::int from cohort k
            where k.next_update_due_at < now() and k.status not in ('resolved', 'closed', 'waiting_customer')) as "updatesMissed"`
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
