import { randomBytes } from 'node:crypto'
import { loadSlaSettings } from '../../src/sla/settings.ts'
import { takeCaseNumber } from '../../src/cases/queries.ts'
import type { Severity, Source } from '../../src/cases/terms.ts'
import { computeDeadlines } from '../../src/sla/sla.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { seedDraft } from './drafts.ts'

export type MetricCase = {
  openedAt: string
  severity: Severity
  source?: Source
  status?: string
  ownerId?: string | null
  customerEmail?: string | null
  accountId?: string | null
  /** Minutes after opening (wall clock), or an ISO instant. */
  firstResponse?: number | string | null
  resolved?: number | string | null
  closed?: number | string | null
  closeReason?: string | null
  pausedSeconds?: number
}

const at = (openedAt: Date, value: number | string | null | undefined) =>
  value === null || value === undefined ? null : typeof value === 'number' ? new Date(openedAt.getTime() + value * 60_000) : new Date(value)

/**
 * A case with exactly the clocks given, deadlines computed by the app's own rules (the org's
 * policy and calendar, as clocks.ts stores them). The 00009 trigger fills the stopped clocks.
 */
export async function insertMetricCase(db: Db, orgId: string, spec: MetricCase): Promise<{ id: string; number: number }> {
  return withOrg(db, orgId, async (tx) => {
    const settings = await loadSlaSettings(tx, orgId)
    const openedAt = new Date(spec.openedAt)
    const due = computeDeadlines({
      openedAt,
      severity: spec.severity,
      policy: settings.policy,
      calendar: settings.calendar,
      pausedMinutes: (spec.pausedSeconds ?? 0) / 60,
    })
    const number = await takeCaseNumber(tx, orgId)
    const resolvedAt = at(openedAt, spec.resolved)
    const closedAt = at(openedAt, spec.closed)
    const status = spec.status ?? (closedAt ? 'closed' : resolvedAt ? 'resolved' : spec.firstResponse != null ? 'responded' : 'new')
    const [row] = await tx<{ id: string }[]>`
      insert into cases (org_id, number, source, customer_email, subject, severity, status, owner_id, account_id, reply_token,
                         opened_at, first_response_at, resolved_at, closed_at, close_reason, resolution_paused_seconds,
                         first_response_due_at, resolution_due_at)
      values (${orgId}, ${number}, ${spec.source ?? 'direct'}, ${spec.customerEmail === undefined ? `c-${randomBytes(4).toString('hex')}@customer.test` : spec.customerEmail},
              ${`Case ${number}`}, ${spec.severity}, ${status}, ${spec.ownerId ?? null}, ${spec.accountId ?? null}, ${randomBytes(12).toString('hex')},
              ${openedAt}, ${at(openedAt, spec.firstResponse)}, ${resolvedAt}, ${closedAt}, ${spec.closeReason ?? null}, ${spec.pausedSeconds ?? 0},
              ${due.firstResponseDueAt}, ${due.resolutionDueAt})
      returning id`
    return { id: row!.id, number }
  })
}

/** A customer rating as the CSAT link records it (a consumed link + the response), at a given time. */
export async function insertRating(db: Db, orgId: string, caseId: string, rating: number, createdAt: string) {
  await withOrg(db, orgId, async (tx) => {
    const jti = randomBytes(18).toString('base64url')
    await tx`insert into customer_links (jti, org_id, case_id, purpose, expires_at, consumed_at) values (${jti}, ${orgId}, ${caseId}, 'csat', now() + interval '1 day', ${createdAt})`
    await tx`insert into csat_responses (org_id, case_id, link_jti, rating, created_at) values (${orgId}, ${caseId}, ${jti}, ${rating}, ${createdAt})`
  })
}

/** The resolution message (with its rating link) approved and sent: the case counts as surveyed. */
export async function markSurveyed(db: Db, orgId: string, caseId: string, approverId: string) {
  const draft = await seedDraft(db, orgId, caseId, { purpose: 'resolution', toEmails: ['pat@customer.test'] })
  await withOrg(db, orgId, async (tx) => {
    const [approval] = await tx<{ id: string }[]>`
      insert into approvals (org_id, case_id, draft_id, content_hash, approver_id, decision, via)
      select ${orgId}, ${caseId}, d.id, draft_content_hash(d.to_emails, d.subject, d.body), ${approverId}, 'approved', 'portal'
      from drafts d where d.id = ${draft.id} returning id`
    const id = randomBytes(8).toString('hex')
    await tx`
      insert into outbox (org_id, case_id, draft_id, approval_id, to_emails, subject, body, message_id, reply_to, idempotency_key, status, sent_at)
      select ${orgId}, ${caseId}, d.id, ${approval!.id}, d.to_emails, d.subject, d.body, ${`${id}@desk.test`}, 'escalations@desk.test', ${`reply/${id}`}, 'sent', now()
      from drafts d where d.id = ${draft.id}`
  })
}

/** One ask of approval (a row per approver, sharing created_at), decided or not. */
export async function insertApprovalAsk(
  db: Db,
  orgId: string,
  caseId: string,
  approverIds: string[],
  ask: { createdAt: string; decidedAt?: string | null; voided?: boolean },
) {
  const draft = await seedDraft(db, orgId, caseId, { body: `Version for ${ask.createdAt}` })
  await withOrg(db, orgId, async (tx) => {
    for (const approverId of approverIds) {
      await tx`
        insert into approval_requests (org_id, case_id, draft_id, content_hash, approver_id, jti, expires_at, created_at, decided_at, voided_at)
        values (${orgId}, ${caseId}, ${draft.id}, 'x', ${approverId}, ${randomBytes(18).toString('base64url')}, now() + interval '1 day',
                ${ask.createdAt}, ${ask.decidedAt ?? null}, ${ask.voided ? ask.createdAt : null})`
    }
  })
}
