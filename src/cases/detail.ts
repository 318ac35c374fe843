import { listCaseAudit, type AuditRow } from '../audit/audit.ts'
import type { DbOrTx } from '../db.ts'
import { isUuid } from '../http/ids.ts'
import type { CaseStatus, CaseType, Severity, Source } from './terms.ts'

export type CaseDetail = {
  id: string
  number: number
  subject: string
  summary: string
  source: Source
  severity: Severity
  severityReasons: string[]
  caseType: string
  status: CaseStatus
  externalRef: string | null
  forwardedBy: string[]
  customerName: string | null
  customerEmail: string | null
  openedAt: Date
  ownerId: string | null
  ownerName: string | null
  ownerEmail: string | null
  acknowledgedAt: Date | null
  firstResponseDueAt: Date | null
  firstResponseAtRiskAt: Date | null
  firstResponseAt: Date | null
  nextUpdateDueAt: Date | null
  nextUpdateAtRiskAt: Date | null
  resolutionDueAt: Date | null
  resolutionAtRiskAt: Date | null
  resolutionPausedAt: Date | null
  resolvedAt: Date | null
  closedAt: Date | null
  closeReason: string | null
  account: { domain: string; name: string; plan: string | null; annualRevenue: string | null; health: string | null } | null
}

export type ThreadMessage = {
  id: string
  direction: 'inbound' | 'outbound' | 'note'
  fromEmail: string | null
  fromName: string | null
  toEmails: string[]
  subject: string
  textBody: string
  hasHtml: boolean
  unknownSender: boolean
  authorName: string | null
  createdAt: Date
}

export type TeamMember = { id: string; name: string; email: string; role: string }

export async function getCaseDetail(db: DbOrTx, caseId: string): Promise<CaseDetail | undefined> {
  if (!isUuid(caseId)) return undefined
  const [row]: [CaseDetail?] = await db`
    select c.id, c.number, c.subject, c.summary, c.source, c.severity, c.severity_reasons as "severityReasons",
           c.case_type as "caseType", c.status, c.external_ref as "externalRef", c.forwarded_by as "forwardedBy",
           c.customer_name as "customerName", c.customer_email as "customerEmail", c.opened_at as "openedAt",
           c.owner_id as "ownerId", u.name as "ownerName", u.email as "ownerEmail", c.acknowledged_at as "acknowledgedAt",
           c.first_response_due_at as "firstResponseDueAt", c.first_response_at_risk_at as "firstResponseAtRiskAt",
           c.first_response_at as "firstResponseAt", c.next_update_due_at as "nextUpdateDueAt",
           c.next_update_at_risk_at as "nextUpdateAtRiskAt", c.resolution_due_at as "resolutionDueAt",
           c.resolution_at_risk_at as "resolutionAtRiskAt", c.resolution_paused_at as "resolutionPausedAt",
           c.resolved_at as "resolvedAt", c.closed_at as "closedAt", c.close_reason as "closeReason",
           case when a.id is null then null else json_build_object('domain', a.domain, 'name', a.name, 'plan', a.plan,
             'annualRevenue', a.annual_revenue, 'health', a.health) end as account
    from cases c
    left join app_users u on u.id = c.owner_id
    left join accounts a on a.id = c.account_id
    where c.id = ${caseId}`
  return row
}

export async function listThread(db: DbOrTx, caseId: string): Promise<ThreadMessage[]> {
  return db<ThreadMessage[]>`
    select m.id, m.direction, m.from_email as "fromEmail", m.from_name as "fromName", m.to_emails as "toEmails",
           m.subject, m.text_body as "textBody", m.html_body is not null as "hasHtml",
           m.unknown_sender as "unknownSender", u.name as "authorName", m.created_at as "createdAt"
    from messages m left join app_users u on u.id = m.author_id
    where m.case_id = ${caseId} order by m.created_at, m.id`
}

export async function findMessageHtml(db: DbOrTx, caseId: string, messageId: string): Promise<string | null | undefined> {
  if (!isUuid(caseId) || !isUuid(messageId)) return undefined
  const [row]: [{ html: string | null }?] = await db`select html_body as html from messages where id = ${messageId} and case_id = ${caseId}`
  return row ? row.html : undefined
}

export async function listTeam(db: DbOrTx): Promise<TeamMember[]> {
  return db<TeamMember[]>`select id, name, email, role from app_users where disabled_at is null order by name, email`
}

export type TimelineEntry = AuditRow & { actorName: string | null }

export async function listTimeline(db: DbOrTx, caseId: string): Promise<TimelineEntry[]> {
  const rows = await listCaseAudit(db, caseId)
  const names = new Map((await db<{ id: string; name: string; email: string }[]>`select id::text, name, email from app_users`).map((u) => [u.id, u.name || u.email]))
  return rows.map((r) => ({ ...r, actorName: r.actorId ? (names.get(r.actorId) ?? r.actorId) : null }))
}
