import { listCaseAudit, type AuditRow } from '../audit/audit.ts'
import type { DbOrTx } from '../db.ts'
import { isUuid } from '../http/ids.ts'
import { addRecoveryFlags, redFlagsSql } from '../playbook/red-flags.ts'
import type { CaseExecutive } from './create.ts'
import type { CaseStatus, CaseType, ChannelKind, Severity, Source } from './terms.ts'

/** What intake read (cases.intake), as far as the case page shows it. */
export type IntakeReading = {
  source?: string
  customer?: { name: string | null; email: string | null }
  severity?: string
  externalRef?: string | null
  model?:
    | {
        ok: true
        model: string
        disagreements: { field: string; rules: unknown; model: unknown }[]
        fields?: { severityReasons?: string[] }
      }
    | { ok: false; reason: string; detail: string }
}

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
  channelKind: ChannelKind | null
  channelName: string | null
  channelEmail: string | null
  channelReference: string | null
  language: string | null
  executive: CaseExecutive | null
  intake: IntakeReading | null
  /** The stored message the case was opened from (its labelled examples point at it). */
  rawId: string | null
  /** A spreadsheet row's company column, and what it held that has no field of its own. */
  customerAccount: string | null
  imported: { runId: string | null; fileName: string | null; draft: string | null; fields: { name: string; value: string }[] } | null
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
  /** The helpdesk ticket the case was opened from (src/intake/tickets): the link back. */
  ticketUrl?: string | null
  /** The playbook's red flags now (src/playbook/red-flags.ts). */
  redFlags: string[]
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
  /** An automatic message attached to the case (an auto-reply, a bounce): its kind and why. */
  automatic: string | null
  automaticReason: string | null
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
           c.channel_kind as "channelKind", c.channel_name as "channelName", c.channel_email as "channelEmail",
           c.channel_reference as "channelReference", c.language, c.executive, c.intake,
           (select m.raw_id from messages m where m.case_id = c.id and m.direction = 'inbound' and m.raw_id is not null
            order by m.created_at, m.id limit 1) as "rawId",
           c.customer_account as "customerAccount",
           (select t.ticket_url from helpdesk_tickets t where t.case_id = c.id order by t.created_at limit 1) as "ticketUrl",
           case when c.import_key is null then null else json_build_object(
             'runId', c.import_run_id::text, 'fileName', (select r.file_name from import_runs r where r.id = c.import_run_id),
             'draft', (select e.details->>'draft' from audit_events e where e.case_id = c.id and e.action = 'case.create' limit 1),
             'fields', coalesce(c.import_fields, '[]'::jsonb)) end as imported,
           c.owner_id as "ownerId", u.name as "ownerName", u.email as "ownerEmail", c.acknowledged_at as "acknowledgedAt",
           c.first_response_due_at as "firstResponseDueAt", c.first_response_at_risk_at as "firstResponseAtRiskAt",
           c.first_response_at as "firstResponseAt", c.next_update_due_at as "nextUpdateDueAt",
           c.next_update_at_risk_at as "nextUpdateAtRiskAt", c.resolution_due_at as "resolutionDueAt",
           c.resolution_at_risk_at as "resolutionAtRiskAt", c.resolution_paused_at as "resolutionPausedAt",
           c.resolved_at as "resolvedAt", c.closed_at as "closedAt", c.close_reason as "closeReason",
           case when a.id is null then null else json_build_object('domain', a.domain, 'name', a.name, 'plan', a.plan,
             'annualRevenue', a.annual_revenue, 'health', a.health) end as account,
           ${redFlagsSql(db)} as "redFlags"
    from cases c
    left join app_users u on u.id = c.owner_id
    left join accounts a on a.id = c.account_id
    where c.id = ${caseId}`
  if (!row) return row
  const [flagged] = await addRecoveryFlags(db, [row], { finished: row.status === 'resolved' || row.status === 'closed' })
  return flagged
}

export async function listThread(db: DbOrTx, caseId: string): Promise<ThreadMessage[]> {
  return db<ThreadMessage[]>`
    select m.id, m.direction, m.from_email as "fromEmail", m.from_name as "fromName", m.to_emails as "toEmails",
           m.subject, m.text_body as "textBody", m.html_body is not null as "hasHtml",
           m.unknown_sender as "unknownSender", m.automatic, m.automatic_reason as "automaticReason",
           u.name as "authorName", m.created_at as "createdAt"
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
  const names = new Map(
    (await db<{ id: string; name: string; email: string }[]>`select id::text, name, email from app_users`).map((u) => [
      u.id,
      u.name || u.email,
    ]),
  )
  return rows.map((r) => ({ ...r, actorName: r.actorId ? (names.get(r.actorId) ?? r.actorId) : null }))
}
