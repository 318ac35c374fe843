import { recordAudit, systemActor } from '../audit/audit.ts'
import { recordOutboundSent } from '../cases/lifecycle.ts'
import { withOrg } from '../db.ts'
import type { JobHandler } from '../jobs/runner.ts'
import { MailSendError, type Mailer } from './mailer.ts'

type OutboxRow = {
  id: string; caseId: string; toEmails: string[]; subject: string; body: string; messageId: string
  inReplyTo: string | null; referenceIds: string[]; replyTo: string; idempotencyKey: string; status: string
  caseNumber: number; severity: string; source: string
}

/** Thrown to have the runner retry at a given time (a provider's retry-after). */
export class RetryAt extends Error {
  constructor(message: string, readonly retryAt: Date) {
    super(message)
  }
}

/**
 * kind 'send', payload {outboxId}. Claims the row with FOR UPDATE SKIP LOCKED (several runners
 * may race), sends with the idempotency key reply/<outbox id>, then records the send. A crash
 * between the provider accepting and the record being written is safe: the retry sends the same
 * key, the provider answers with the first message instead of sending again.
 */
export function sendJob(mailer: Mailer): JobHandler {
  return async (job, ctx) => {
    const outboxId = String(job.payload.outboxId ?? '')
    const row = await withOrg(ctx.db, job.orgId, async (tx) => {
      const [o] = await tx<OutboxRow[]>`
        select o.id, o.case_id as "caseId", o.to_emails as "toEmails", o.subject, o.body, o.message_id as "messageId",
               o.in_reply_to as "inReplyTo", o.reference_ids as "referenceIds", o.reply_to as "replyTo",
               o.idempotency_key as "idempotencyKey", o.status, c.number as "caseNumber", c.severity, c.source
        from outbox o join cases c on c.id = o.case_id
        where o.id = ${outboxId} for update of o skip locked`
      if (!o || !['pending', 'sending'].includes(o.status)) return o ?? null
      await tx`update outbox set status = 'sending', attempts = attempts + 1 where id = ${o.id}`
      return o
    })
    if (!row) throw new Error(`outbox ${outboxId} is being sent by another runner`)
    if (!['pending', 'sending'].includes(row.status)) return // sent, failed for good, or cancelled

    let providerId: string
    try {
      const sent = await mailer.send({
        orgId: job.orgId,
        to: row.toEmails,
        replyTo: row.replyTo,
        subject: row.subject,
        text: row.body,
        headers: {
          'Message-ID': `<${row.messageId}>`,
          ...(row.inReplyTo ? { 'In-Reply-To': `<${row.inReplyTo}>` } : {}),
          ...(row.referenceIds.length ? { References: row.referenceIds.map((r) => `<${r}>`).join(' ') } : {}),
        },
        tags: { case: `ESC-${row.caseNumber}`, severity: row.severity, source: row.source, kind: 'reply' },
        idempotencyKey: row.idempotencyKey,
      })
      providerId = sent.id
    } catch (error) {
      const message = (error as Error).message
      const permanent = error instanceof MailSendError && !error.retryable
      const lastAttempt = job.attempts >= job.maxAttempts
      await withOrg(ctx.db, job.orgId, async (tx) => {
        await tx`update outbox set last_error = ${message}, status = ${permanent || lastAttempt ? 'failed' : 'sending'} where id = ${row.id}`
        if (permanent || lastAttempt) {
          await recordAudit(tx, job.orgId, { actor: systemActor, action: 'email.fail', caseId: row.caseId, details: { outboxId: row.id, error: message, permanent } })
          await ctx.complete(tx)
        }
      })
      if (permanent || lastAttempt) return
      if (error instanceof MailSendError && error.retryAfterSeconds !== null) {
        throw new RetryAt(message, new Date(Date.now() + error.retryAfterSeconds * 1000))
      }
      throw error
    }

    await withOrg(ctx.db, job.orgId, async (tx) => {
      const sentAt = new Date()
      await tx`update outbox set status = 'sent', provider_id = ${providerId}, sent_at = ${sentAt}, last_error = null where id = ${row.id}`
      // Stored under its Message-ID, so the customer's reply (In-Reply-To) finds this case.
      await tx`
        insert into messages (org_id, case_id, direction, dedupe_key, message_id, in_reply_to, reference_ids, to_emails, subject, text_body)
        values (${job.orgId}, ${row.caseId}, 'outbound', ${`mid:${row.messageId}`}, ${row.messageId}, ${row.inReplyTo},
                ${row.referenceIds}, ${row.toEmails}, ${row.subject}, ${row.body})
        on conflict (org_id, dedupe_key) where dedupe_key is not null do nothing`
      await recordOutboundSent(tx, job.orgId, row.caseId, sentAt, systemActor, { outboxId: row.id })
      await recordAudit(tx, job.orgId, { actor: systemActor, action: 'email.send', caseId: row.caseId, details: { outboxId: row.id, providerId, to: row.toEmails, messageId: row.messageId } })
      await ctx.complete(tx)
    })
  }
}
