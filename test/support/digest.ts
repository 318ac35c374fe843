import { randomBytes } from 'node:crypto'
import { decide } from '../../src/approvals/decide.ts'
import { takeCaseNumber } from '../../src/cases/queries.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { seedDraft } from './drafts.ts'

export type ArrangedCase = {
  /** Given by a test on a schema from before the counter's row (sql/00053); else the org's next. */
  number?: number
  subject?: string
  severity?: 'SEV-1' | 'SEV-2' | 'SEV-3' | 'SEV-4'
  status?: string
  source?: string
  ownerId?: string | null
  customerEmail?: string
  openedAt?: Date
  createdAt?: Date
  firstResponseAt?: Date | null
  firstResponseDueAt?: Date | null
  resolutionDueAt?: Date | null
  resolvedAt?: Date | null
  closedAt?: Date | null
  nextUpdateDueAt?: Date | null
  nextDeadlineAt?: Date | null
  nextAtRiskAt?: Date | null
}

/**
 * A case with its clock instants set directly (as the owner, like a restored backup would), so a
 * test can stand at any instant: the digest reads the stored instants and nothing else.
 */
export async function arrangeCase(db: Db, orgId: string, c: ArrangedCase = {}): Promise<{ id: string; number: number }> {
  const number = c.number ?? (await db.begin((tx) => takeCaseNumber(tx, orgId)))
  const openedAt = c.openedAt ?? new Date()
  const [row] = await db<{ id: string }[]>`
    insert into cases (org_id, number, source, customer_email, customer_name, subject, severity, status, owner_id, reply_token,
                       opened_at, created_at, first_response_at, first_response_due_at, resolution_due_at, resolved_at, closed_at,
                       next_update_due_at, next_deadline_at, next_at_risk_at)
    values (${orgId}, ${number}, ${c.source ?? 'direct'}, ${c.customerEmail ?? 'pat@customer.test'}, 'Pat Customer',
            ${c.subject ?? 'Complaint'}, ${c.severity ?? 'SEV-3'}, ${c.status ?? 'triaged'}, ${c.ownerId ?? null},
            ${randomBytes(18).toString('base64url')}, ${openedAt}, ${c.createdAt ?? openedAt}, ${c.firstResponseAt ?? null},
            ${c.firstResponseDueAt ?? null}, ${c.resolutionDueAt ?? null}, ${c.resolvedAt ?? null}, ${c.closedAt ?? null},
            ${c.nextUpdateDueAt ?? null}, ${c.nextDeadlineAt ?? null}, ${c.nextAtRiskAt ?? null})
    returning id`
  return { id: row!.id, number }
}

/** An approved reply on the case whose send then failed for good (as the send job records it). */
export async function failedSend(
  db: Db,
  orgId: string,
  caseId: string,
  approverId: string,
  error = 'Resend refused the message: invalid `to` field',
) {
  const draft = await seedDraft(db, orgId, caseId)
  const result = await withOrg(db, orgId, (tx) =>
    decide(tx, {
      orgId,
      caseId,
      draftId: draft.id,
      approver: { id: approverId, role: 'approver' },
      decision: 'approved',
      via: 'portal',
      messageIdDomain: 'example.com',
    }),
  )
  if (!result.ok || !result.outboxId) throw new Error(`approval failed: ${JSON.stringify(result)}`)
  await db`update outbox set status = 'failed', attempts = 1, last_error = ${error} where id = ${result.outboxId}`
  // The send job is finished (it gave up); nothing else should pick it up in the test.
  await db`update jobs set done_at = now() where payload->>'outboxId' = ${result.outboxId}`
  return result.outboxId
}

/** Mail the dev transport holds for the org, oldest first. */
export async function heldMail(db: Db, orgId: string) {
  return db<{ to: string[]; subject: string; text: string; html: string | null; key: string | null }[]>`
    select to_addresses as "to", subject, text_body as text, html_body as html, idempotency_key as key
    from dev_mailbox where org_id = ${orgId} order by created_at, id`
}

/** Orgs made by seedOrg exist "since now"; a test standing at another instant moves that back. */
export async function backdateOrg(db: Db, orgId: string, to = new Date('2026-01-01T00:00:00Z')) {
  await db`update orgs set created_at = ${to} where id = ${orgId}`
}

export const minutes = (n: number) => n * 60_000
export const at = (iso: string) => new Date(iso)
