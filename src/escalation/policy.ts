import { z } from 'zod'
import { recordAudit, type Actor } from '../audit/audit.ts'
import { severities, type Severity } from '../cases/terms.ts'
import type { DbOrTx, Tx } from '../db.ts'

// Who is told, and when, as a case's clock runs down with nobody acting (sql/00029). Stored per
// org and severity in escalation_policies; a severity without a row uses these defaults, from
// the escalation playbook's stakeholders per severity: SEV-1 "customer, exec, all hands" (the
// executives 30 minutes after a breach, one SEV-1 update interval), SEV-2 "customer, manager",
// SEV-3 and SEV-4 the team. Users have no manager: the approvers and admins stand for one.

export type EscalationPolicy = {
  /** At risk → the owner (nobody owns it: every approver and admin). */
  atRisk: boolean
  /** A missed customer update (the cadence clock) → the owner, at the missed instant. */
  cadence: boolean
  /** Minutes after the deadline the approvers and admins are told; null: never. */
  approversAfterMinutes: number | null
  /** Minutes after the deadline the org's executives are told; null: never. */
  executivesAfterMinutes: number | null
}
export type EscalationPolicies = Record<Severity, EscalationPolicy>

export const defaultEscalationPolicies: EscalationPolicies = Object.freeze({
  'SEV-1': Object.freeze({ atRisk: true, cadence: true, approversAfterMinutes: 0, executivesAfterMinutes: 30 }),
  'SEV-2': Object.freeze({ atRisk: true, cadence: true, approversAfterMinutes: 0, executivesAfterMinutes: null }),
  'SEV-3': Object.freeze({ atRisk: true, cadence: false, approversAfterMinutes: 0, executivesAfterMinutes: null }),
  'SEV-4': Object.freeze({ atRisk: true, cadence: false, approversAfterMinutes: 0, executivesAfterMinutes: null }),
})

/** The longest delay a step may have (the scan looks back this far past a deadline, plus a day). */
export const MAX_STEP_MINUTES = 1440

const delaySchema = z.number().int().min(0).max(MAX_STEP_MINUTES).nullable()
export const escalationPolicySchema = z.object({
  atRisk: z.boolean(),
  cadence: z.boolean(),
  approversAfterMinutes: delaySchema,
  executivesAfterMinutes: delaySchema,
})

type PolicyRow = EscalationPolicy & { severity: Severity }

/** The org's chain for each severity (run in withOrg: the rows are RLS-scoped). */
export async function loadEscalationPolicies(db: DbOrTx): Promise<EscalationPolicies> {
  const rows = await db<PolicyRow[]>`
    select severity, at_risk as "atRisk", cadence, approvers_after_minutes as "approversAfterMinutes",
           executives_after_minutes as "executivesAfterMinutes"
    from escalation_policies`
  const policies = { ...defaultEscalationPolicies }
  for (const { severity, ...policy } of rows) policies[severity] = policy
  return policies
}

/** Every org's rows at once, for the scan across orgs (owner connection); defaults fill the rest. */
export async function loadPoliciesByOrg(db: DbOrTx, orgIds: string[]): Promise<Map<string, EscalationPolicies>> {
  const rows = await db<(PolicyRow & { orgId: string })[]>`
    select org_id as "orgId", severity, at_risk as "atRisk", cadence, approvers_after_minutes as "approversAfterMinutes",
           executives_after_minutes as "executivesAfterMinutes"
    from escalation_policies where org_id = any(${orgIds}::uuid[])`
  const byOrg = new Map<string, EscalationPolicies>(orgIds.map((id) => [id, { ...defaultEscalationPolicies }]))
  for (const { orgId, severity, ...policy } of rows) byOrg.get(orgId)![severity] = policy
  return byOrg
}

/** Saves every severity's chain (one row each) and audits the before and after. */
export async function updateEscalationPolicies(tx: Tx, orgId: string, next: EscalationPolicies, actor: Actor): Promise<void> {
  const before = await loadEscalationPolicies(tx)
  const rows = severities.map((severity) => ({
    org_id: orgId,
    severity,
    at_risk: next[severity].atRisk,
    cadence: next[severity].cadence,
    approvers_after_minutes: next[severity].approversAfterMinutes,
    executives_after_minutes: next[severity].executivesAfterMinutes,
  }))
  await tx`
    insert into escalation_policies ${tx(rows, 'org_id', 'severity', 'at_risk', 'cadence', 'approvers_after_minutes', 'executives_after_minutes')}
    on conflict (org_id, severity) do update set at_risk = excluded.at_risk, cadence = excluded.cadence,
      approvers_after_minutes = excluded.approvers_after_minutes, executives_after_minutes = excluded.executives_after_minutes,
      updated_at = now()`
  await recordAudit(tx, orgId, { actor, action: 'org.escalation_change', details: { before, after: next } })
}
