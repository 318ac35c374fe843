import type { Tx } from '../db.ts'
import type { AlertKind } from './settings.ts'

// What every alert reads about its case and its team: the immediate alerts (alerts.ts) and the
// escalation chain's steps (src/escalation/scan.ts) compose from the same rows.

export type AlertCase = {
  id: string
  number: number
  subject: string
  severity: string
  source: string
  status: string
  customerName: string | null
  customerEmail: string | null
  ownerEmail: string | null
  ownerName: string | null
  ownerActive: boolean
  ownerId: string | null
  nextDeadlineAt: Date | null
  clock: string | null
  timeZone: string
  orgName: string
}

export async function loadAlertCase(tx: Tx, caseId: string): Promise<AlertCase | undefined> {
  const [row]: [AlertCase?] = await tx`
    select c.id, c.number, c.subject, c.severity, c.source, c.status, c.customer_name as "customerName", c.customer_email as "customerEmail",
           u.email as "ownerEmail", coalesce(nullif(u.name, ''), u.email) as "ownerName", (u.id is not null and u.disabled_at is null) as "ownerActive",
           u.id as "ownerId", c.next_deadline_at as "nextDeadlineAt",
           case when c.next_deadline_at is null then null
                when c.first_response_at is null and c.next_deadline_at = c.first_response_due_at then 'first response'
                when c.next_deadline_at = c.next_update_due_at then 'customer update'
                else 'resolution' end as clock,
           org_time_zone(o.timezone) as "timeZone", o.name as "orgName"
    from cases c join orgs o on o.id = c.org_id left join app_users u on u.id = c.owner_id
    where c.id = ${caseId}`
  return row
}

export type TeamMember = { id: string; email: string }

/** Every active approver and admin of the org (run in withOrg), by address. */
export async function listApprovers(tx: Tx): Promise<TeamMember[]> {
  return tx<TeamMember[]>`select id, email from app_users where disabled_at is null and role in ('approver', 'admin') order by email`
}

export async function approverEmails(tx: Tx): Promise<string[]> {
  return (await listApprovers(tx)).map((r) => r.email)
}

/** What one candidate alert (or escalation step) came to in the scan that claimed it. */
export type AlertClaim = {
  orgId: string
  alertKey: string
  kind: AlertKind | 'cadence' | 'approvers' | 'executives'
  status: 'queued' | 'skipped' | 'taken'
  alertId?: string
  jobId?: string
  recipients?: string[]
}
