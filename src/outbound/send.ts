import { voidPendingApprovals, type VoidReason } from '../approvals/void.ts'
import { recordAudit, systemActor } from '../audit/audit.ts'
import { linkSigningKey } from '../auth/tokens.ts'
import { lockCase } from '../cases/case-record.ts'
import { recordOutboundSent } from '../cases/lifecycle.ts'
import { caseLabel } from '../cases/terms.ts'
import { textWithCustomerLinks } from '../csat/csat.ts'
import { withOrg, type Tx } from '../db.ts'
import type { Job } from '../jobs/queries.ts'
import type { JobContext, JobHandler } from '../jobs/runner.ts'
import { failedSend, MailSendError, retryLater, type Mailer } from './mailer.ts'
import type { MailAttachment } from './types.ts'
import { loadDraftFileContents } from '../attachments/reply-files.ts'
import { sha256Hex } from '../auth/crypto.ts'

type OutboxRow = {
  id: string
  caseId: string
  draftId: string
  toEmails: string[]
  ccEmails: string[]
  /** The files as approved: [[name, type, sha256], …] (sql/00033). */
  attachments: [string, string, string][]
  subject: string
  body: string
  messageId: string
  inReplyTo: string | null
  referenceIds: string[]
  replyTo: string
  idempotencyKey: string
  status: string
  /** The From that was approved with the text; null on rows queued before senders were recorded (MAIL_FROM). */
  fromAddress: string | null
  caseNumber: number
  severity: string
  source: string
}

/**
 * How long the provider may take to answer. The case stays locked meanwhile (see handOver), so a
 * provider that never answers must not hold it for longer; a timed-out attempt is retried with
 * the same idempotency key, which cannot send twice.
 */
export const PROVIDER_TIMEOUT_MS = 30_000

type Attempt = { kind: 'attempt'; row: OutboxRow; text: string } | { kind: 'finished' } | { kind: 'busy' }
type Outcome = { kind: 'done' } | { kind: 'retry'; error: unknown }

/**
 * kind 'send', payload {outboxId}. Two transactions, both with the case row locked first (the
 * order every writer of a case's outbox uses):
 *
 * 1. claimAttempt marks the attempt (`sending`, attempts + 1) and mints the reply's customer
 *    links, then commits, so a crash during the provider call leaves the attempt on record.
 * 2. handOver re-checks that the approval still covers what the case would send, hands the mail
 *    to the provider and records the outcome, all before it lets go of the case. A newer version
 *    or new customer mail filed meanwhile waits for it: the reply is either held back (cancelled)
 *    or sent, never sent after it was superseded.
 *
 * The provider gets the idempotency key reply/<outbox id>: a crash between its acceptance and
 * our record is safe, since the retry sends the same key and the same bytes, and the provider
 * answers with the first message instead of sending again.
 */
export function sendJob(mailer: Mailer): JobHandler {
  return async (job, ctx) => {
    const outboxId = String(job.payload.outboxId ?? '')
    const key = await linkSigningKey(ctx.db, ctx.env.LINK_SECRET)
    const links = { key, publicUrl: ctx.env.PUBLIC_URL }
    const attempt = await withOrg(ctx.db, job.orgId, (tx) => claimAttempt(tx, job, ctx, outboxId, links))
    if (attempt.kind === 'busy') throw new Error(`outbox ${outboxId} is being sent by another runner`)
    if (attempt.kind === 'finished') return // sent, failed for good, cancelled, or held back just now
    const outcome = await withOrg(ctx.db, job.orgId, (tx) => handOver(tx, mailer, job, ctx, attempt.row, attempt.text))
    if (outcome.kind === 'retry') throw retryLater(outcome.error)
  }
}

const rowColumns = (tx: Tx) => tx`
  o.id, o.case_id as "caseId", o.draft_id as "draftId", o.to_emails as "toEmails", o.cc_emails as "ccEmails", o.attachments, o.subject, o.body, o.message_id as "messageId",
  o.in_reply_to as "inReplyTo", o.reference_ids as "referenceIds", o.reply_to as "replyTo",
  o.idempotency_key as "idempotencyKey", o.status, o.from_address as "fromAddress", c.number as "caseNumber", c.severity, c.source`

async function lockOutboxCase(tx: Tx, outboxId: string): Promise<boolean> {
  const [row] = await tx<{ caseId: string }[]>`select case_id as "caseId" from outbox where id = ${outboxId}`
  if (!row) return false
  await lockCase(tx, row.caseId)
  return true
}

/** Null when the reply may still leave; otherwise why not (the database's own check). */
async function staleReason(tx: Tx, outboxId: string): Promise<VoidReason | null> {
  const [row] = await tx<{ reason: VoidReason | null }[]>`select outbox_stale_reason(o) as reason from outbox o where o.id = ${outboxId}`
  return row?.reason ?? null
}

/** Holds the reply back (with every other unsent one on the case, audited) and finishes the job. */
async function holdBack(tx: Tx, job: Job, ctx: JobContext, row: { caseId: string }, reason: VoidReason): Promise<void> {
  await voidPendingApprovals(tx, job.orgId, row.caseId, reason)
  await ctx.complete(tx)
}

async function claimAttempt(
  tx: Tx,
  job: Job,
  ctx: JobContext,
  outboxId: string,
  links: { key: Uint8Array; publicUrl: string },
): Promise<Attempt> {
  if (!(await lockOutboxCase(tx, outboxId))) return { kind: 'busy' }
  const [row] = await tx<OutboxRow[]>`
    select ${rowColumns(tx)} from outbox o join cases c on c.id = o.case_id where o.id = ${outboxId} for update of o skip locked`
  if (!row) return { kind: 'busy' }
  if (row.status !== 'pending' && row.status !== 'sending') return { kind: 'finished' }
  const stale = await staleReason(tx, row.id)
  if (stale) {
    await holdBack(tx, job, ctx, row, stale)
    return { kind: 'finished' }
  }
  await tx`update outbox set status = 'sending', attempts = attempts + 1 where id = ${row.id}`
  const text = await textWithCustomerLinks(tx, links, { orgId: job.orgId, caseId: row.caseId, outboxId: row.id, body: row.body })
  return { kind: 'attempt', row, text }
}

async function handOver(tx: Tx, mailer: Mailer, job: Job, ctx: JobContext, claimed: OutboxRow, text: string): Promise<Outcome> {
  await lockCase(tx, claimed.caseId)
  const [row] = await tx<{ status: string }[]>`select status from outbox where id = ${claimed.id} for update`
  // Held back between the two transactions (a new version, new mail): voidPendingApprovals said why.
  if (row?.status !== 'sending') return { kind: 'done' }
  const stale = await staleReason(tx, claimed.id)
  if (stale) {
    await holdBack(tx, job, ctx, claimed, stale)
    return { kind: 'done' }
  }

  let providerId: string
  try {
    const attachments = await approvedFiles(tx, claimed)
    providerId = (
      await withTimeout(
        mailer.send({
          orgId: job.orgId,
          to: claimed.toEmails,
          ...(claimed.ccEmails.length ? { cc: claimed.ccEmails } : {}),
          ...(attachments.length ? { attachments } : {}),
          ...(claimed.fromAddress ? { from: claimed.fromAddress } : {}),
          replyTo: claimed.replyTo,
          subject: claimed.subject,
          text,
          headers: {
            'Message-ID': `<${claimed.messageId}>`,
            ...(claimed.inReplyTo ? { 'In-Reply-To': `<${claimed.inReplyTo}>` } : {}),
            ...(claimed.referenceIds.length ? { References: claimed.referenceIds.map((r) => `<${r}>`).join(' ') } : {}),
          },
          tags: { case: caseLabel(claimed.caseNumber), severity: claimed.severity, source: claimed.source, kind: 'reply' },
          idempotencyKey: claimed.idempotencyKey,
        }),
        PROVIDER_TIMEOUT_MS,
      )
    ).id
  } catch (error) {
    return recordFailure(tx, job, ctx, claimed, error)
  }
  await recordSent(tx, job, ctx, claimed, providerId)
  return { kind: 'done' }
}

/**
 * The bytes of the approved files, each checked against the hash the approver approved: the
 * database refuses a reply whose stored files changed (outbox_stale_reason), and this refuses
 * what a store handed back changed on the way, before any byte reaches the provider.
 */
async function approvedFiles(tx: Tx, row: OutboxRow): Promise<MailAttachment[]> {
  if (!row.attachments.length) return []
  const files = await loadDraftFileContents(tx, row.draftId)
  const sent: MailAttachment[] = []
  for (const [i, [filename, contentType, sha256]] of row.attachments.entries()) {
    const file = files[i]
    if (!file || file.filename !== filename || (await sha256Hex(file.content)) !== sha256) {
      throw new MailSendError(`Mail not sent: “${filename}” no longer matches the file that was approved.`, null, null, { permanent: true })
    }
    sent.push({ filename, contentType, content: file.content })
  }
  return sent
}

async function recordFailure(tx: Tx, job: Job, ctx: JobContext, row: OutboxRow, error: unknown): Promise<Outcome> {
  const { message, permanent, giveUp } = failedSend(error, job)
  await tx`update outbox set last_error = ${message}, status = ${giveUp ? 'failed' : 'sending'} where id = ${row.id}`
  if (!giveUp) return { kind: 'retry', error }
  await recordAudit(tx, job.orgId, {
    actor: systemActor,
    action: 'email.fail',
    caseId: row.caseId,
    details: { outboxId: row.id, error: message, permanent },
  })
  await ctx.complete(tx)
  return { kind: 'done' }
}

async function recordSent(tx: Tx, job: Job, ctx: JobContext, row: OutboxRow, providerId: string): Promise<void> {
  const sentAt = new Date()
  await tx`update outbox set status = 'sent', provider_id = ${providerId}, sent_at = ${sentAt}, last_error = null where id = ${row.id}`
  // Stored under its Message-ID, so the customer's reply (In-Reply-To) finds this case. The
  // approved text is what the desk keeps: customer links stay in the customer's copy only.
  await tx`
    insert into messages (org_id, case_id, direction, dedupe_key, message_id, in_reply_to, reference_ids, to_emails, cc_emails, subject, text_body)
    values (${job.orgId}, ${row.caseId}, 'outbound', ${`mid:${row.messageId}`}, ${row.messageId}, ${row.inReplyTo},
            ${row.referenceIds}, ${row.toEmails}, ${row.ccEmails}, ${row.subject}, ${row.body})
    on conflict (org_id, dedupe_key) where dedupe_key is not null do nothing`
  await recordOutboundSent(tx, job.orgId, row.caseId, sentAt, systemActor, { outboxId: row.id })
  await recordAudit(tx, job.orgId, {
    actor: systemActor,
    action: 'email.send',
    caseId: row.caseId,
    details: {
      outboxId: row.id,
      providerId,
      to: row.toEmails,
      ...(row.ccEmails.length ? { cc: row.ccEmails } : {}),
      ...(row.attachments.length ? { files: row.attachments.map(([filename, , sha256]) => ({ filename, sha256 })) } : {}),
      ...(row.fromAddress ? { from: row.fromAddress } : {}),
      messageId: row.messageId,
    },
  })
  await ctx.complete(tx)
}

/** A provider call that has not answered in time counts as a retryable failure (no status code). */
function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new MailSendError(`the provider did not answer within ${ms / 1000} s`, null, null)), ms)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}
