import type { Db } from '../db.ts'
import type { Env } from '../env.ts'
import type { Severity } from '../cases/terms.ts'
import type { AlertClaim } from '../digest/alert-case.ts'
import { claimChainSteps } from './claim.ts'
import { loadPoliciesByOrg, MAX_STEP_MINUTES, type EscalationPolicy } from './policy.ts'

// The escalation chain's half of the alert scan (enqueueAlerts calls it, once a tick). Each step
// is due at an instant derived from the case's stored clock: at risk at next_at_risk_at, a
// missed update at next_update_due_at, the approvers and executives so many minutes after
// next_deadline_at. A step whose instant passed more than a day ago is old news (a first start,
// a long outage): the digest covers it. A clock met (a reply sent, the severity changed) has a
// new deadline, so its old steps are never due again; an acknowledged clock sends nothing more.

export type ChainStep = 'at_risk' | 'cadence' | 'approvers' | 'executives'
export type Clock = 'first response' | 'customer update' | 'resolution'

export type ChainCandidate = {
  orgId: string
  caseId: string
  step: ChainStep
  clock: Clock
  deadline: Date
  /** When the step became due. */
  dueAt: Date
  /** chain/<step>/<case>/<deadline epoch>: unique per org (escalation_steps). */
  stepKey: string
}

type ClockRow = {
  orgId: string
  caseId: string
  severity: Severity
  deadline: Date
  atRiskAt: Date
  clock: Clock
  updateDueAt: Date | null
  atRiskOn: boolean
}

const DAY_MS = 86_400_000

export const stepKey = (step: ChainStep, caseId: string, deadline: Date) =>
  `chain/${step}/${caseId}/${Math.floor(deadline.getTime() / 1000)}`

/** Open cases with a clock at risk or breached lately, across orgs (owner connection). */
async function listRunningDownClocks(db: Db, now: Date, orgIds: string[] | null): Promise<ClockRow[]> {
  // Every step is due within MAX_STEP_MINUTES of its deadline, and at most a day ago.
  const since = new Date(now.getTime() - DAY_MS - MAX_STEP_MINUTES * 60_000)
  return db<ClockRow[]>`
    select o.id as "orgId", c.id as "caseId", c.severity, c.next_deadline_at as deadline, c.next_at_risk_at as "atRiskAt",
           case when c.first_response_at is null and c.next_deadline_at = c.first_response_due_at then 'first response'
                when c.next_deadline_at = c.next_update_due_at then 'customer update'
                else 'resolution' end as clock,
           c.next_update_due_at as "updateDueAt",
           (o.settings -> 'alert_at_risk' is distinct from 'false'::jsonb) as "atRiskOn"
    from cases c join orgs o on o.id = c.org_id
    where case_is_open_work(c.status, c.setup_test) and c.merged_into is null
      and c.status not in ('resolved', 'closed') -- the partial indexes' predicate, for the planner
      and ((c.next_deadline_at > ${since} and c.next_at_risk_at <= ${now})
           or (c.next_update_due_at > ${since} and c.next_update_due_at <= ${now}))
      ${orgIds ? db`and o.id = any(${orgIds}::uuid[])` : db``}`
}

/** The steps of one clock that are due at `now` under the case's policy (claimed or not). */
export function dueSteps(row: ClockRow, policy: EscalationPolicy, now: Date): ChainCandidate[] {
  const t = now.getTime()
  const recent = (at: Date) => at.getTime() <= t && at.getTime() > t - DAY_MS
  const after = (minutes: number | null) => (minutes === null ? null : new Date(row.deadline.getTime() + minutes * 60_000))
  const candidate = (step: ChainStep, dueAt: Date, deadline = row.deadline, clock = row.clock): ChainCandidate => ({
    orgId: row.orgId,
    caseId: row.caseId,
    step,
    clock,
    deadline,
    dueAt,
    stepKey: stepKey(step, row.caseId, deadline),
  })
  const steps: ChainCandidate[] = []
  // At risk only while it is: a clock already breached goes straight to the breach steps.
  if (policy.atRisk && row.atRiskOn && row.deadline.getTime() > t && recent(row.atRiskAt)) steps.push(candidate('at_risk', row.atRiskAt))
  if (policy.cadence && row.updateDueAt && recent(row.updateDueAt))
    steps.push(candidate('cadence', row.updateDueAt, row.updateDueAt, 'customer update'))
  const approversAt = after(policy.approversAfterMinutes)
  if (approversAt && recent(approversAt)) steps.push(candidate('approvers', approversAt))
  const executivesAt = after(policy.executivesAfterMinutes)
  if (executivesAt && recent(executivesAt)) steps.push(candidate('executives', executivesAt))
  return steps
}

/** The due steps not claimed yet and of clocks nobody acknowledged (owner connection). */
export async function findChainCandidates(db: Db, now: Date, orgIds: string[] | null = null): Promise<ChainCandidate[]> {
  const rows = await listRunningDownClocks(db, now, orgIds)
  if (rows.length === 0) return []
  const policies = await loadPoliciesByOrg(db, [...new Set(rows.map((r) => r.orgId))])
  const due = rows.flatMap((row) => dueSteps(row, policies.get(row.orgId)![row.severity], now))
  if (due.length === 0) return []
  const caseIds = [...new Set(due.map((d) => d.caseId))]
  const [claimed, acked] = [
    await db<{ key: string }[]>`select step_key as key from escalation_steps where case_id = any(${caseIds}::uuid[])`,
    await db<{ caseId: string; deadline: Date }[]>`
      select case_id as "caseId", deadline from escalation_acks where case_id = any(${caseIds}::uuid[])`,
  ]
  const taken = new Set(claimed.map((c) => c.key))
  const stopped = new Set(acked.map((a) => `${a.caseId}/${a.deadline.getTime()}`))
  return due
    .filter((d) => !taken.has(d.stepKey) && !stopped.has(`${d.caseId}/${d.deadline.getTime()}`))
    .sort((a, b) => a.orgId.localeCompare(b.orgId) || a.stepKey.localeCompare(b.stepKey))
}

/** Finds the due steps, then claims them per org (each org in its own transaction). */
export async function enqueueChainSteps(
  db: Db,
  env: Pick<Env, 'PUBLIC_URL' | 'LINK_SECRET'>,
  now: Date,
  orgIds: string[] | null = null,
): Promise<AlertClaim[]> {
  const candidates = await findChainCandidates(db, now, orgIds)
  const byOrg = new Map<string, ChainCandidate[]>()
  for (const c of candidates) byOrg.set(c.orgId, [...(byOrg.get(c.orgId) ?? []), c])
  const claims: AlertClaim[] = []
  for (const [orgId, list] of byOrg) claims.push(...(await claimChainSteps(db, env, orgId, list, now)))
  return claims
}
