import { createHash, randomBytes } from 'node:crypto'
import PostalMime from 'postal-mime'
import { recordAudit, systemActor } from '../audit/audit.ts'
import { recomputeClocks } from '../cases/clocks.ts'
import { caseLabel, insertCase, takeCaseNumber } from '../cases/queries.ts'
import { withOrg, type Db } from '../db.ts'
import { enqueueJob, findCaseByDedupeKey, insertMessageOnce, insertRaw, markRaw } from './queries.ts'

export type IntakeOutcome =
  | { status: 'created' | 'threaded' | 'duplicate'; case: string; rawId: string }
  | { status: 'quarantined'; case: null; rawId: string; reason: string }

export type IntakeInput = { orgId: string; raw: Uint8Array; provider: string; envelope?: Record<string, unknown> }

/** Raised inside the case transaction to roll it back when the message is already on a case. */
class AlreadyIngested extends Error {}

/**
 * The one way mail becomes a case. The raw bytes are committed first (nothing is lost even if
 * parsing crashes the process); then the case, its message and the audit event commit together.
 */
export async function ingestMessage(db: Db, input: IntakeInput): Promise<IntakeOutcome> {
  const sha256 = createHash('sha256').update(input.raw).digest('hex')
  const { id: rawId } = await withOrg(db, input.orgId, (tx) =>
    insertRaw(tx, { orgId: input.orgId, provider: input.provider, sha256, bytes: input.raw, envelope: input.envelope }),
  )

  let mail: Awaited<ReturnType<typeof PostalMime.parse>>
  try {
    mail = await PostalMime.parse(input.raw, { forceRfc822Attachments: true })
  } catch (error) {
    const reason = `could not parse the message: ${(error as Error).message}`
    await withOrg(db, input.orgId, (tx) => markRaw(tx, rawId, 'quarantined', { reason }))
    return { status: 'quarantined', case: null, rawId, reason }
  }

  const messageId = mail.messageId?.replace(/^<|>$/g, '').trim() || null
  const dedupeKey = messageId ? `mid:${messageId}` : `sha256:${sha256}`
  const subject = mail.subject?.trim() || '(no subject)'

  try {
    const created = await withOrg(db, input.orgId, async (tx) => {
      const number = await takeCaseNumber(tx, input.orgId)
      const kase = await insertCase(tx, input.orgId, number, {
        source: 'direct',
        customerEmail: mail.from?.address?.toLowerCase() ?? null,
        customerName: mail.from?.name || null,
        forwardedBy: [],
        subject,
        summary: (mail.text ?? '').slice(0, 500),
        severity: 'SEV-3',
        severityReasons: ['default severity for direct mail'],
        externalRef: null,
        replyToken: randomBytes(16).toString('base64url'),
        openedAt: new Date(),
      })
      const message = await insertMessageOnce(tx, input.orgId, {
        caseId: kase.id,
        direction: 'inbound',
        dedupeKey,
        messageId,
        inReplyTo: mail.inReplyTo?.replace(/^<|>$/g, '') || null,
        referenceIds: (mail.references ?? '').split(/\s+/).filter(Boolean).map((r) => r.replace(/^<|>$/g, '')),
        fromEmail: mail.from?.address?.toLowerCase() ?? null,
        fromName: mail.from?.name || null,
        toEmails: (mail.to ?? []).flatMap((a) => (a.address ? [a.address.toLowerCase()] : [])),
        subject,
        textBody: mail.text ?? '',
        htmlBody: mail.html ?? null,
        rawId,
      })
      if (!message) throw new AlreadyIngested()
      await recomputeClocks(tx, input.orgId, kase.id)
      await recordAudit(tx, input.orgId, {
        actor: systemActor,
        action: 'case.create',
        caseId: kase.id,
        details: { via: input.provider, messageId, rawId },
      })
      await markRaw(tx, rawId, 'processed', { caseId: kase.id })
      await enqueueJob(tx, input.orgId, 'draft', { caseId: kase.id })
      return { caseId: kase.id, number }
    })
    return { status: 'created', case: caseLabel(created.number), rawId }
  } catch (error) {
    if (!(error instanceof AlreadyIngested)) throw error
  }

  return withOrg(db, input.orgId, async (tx) => {
    const existing = await findCaseByDedupeKey(tx, dedupeKey)
    await markRaw(tx, rawId, 'duplicate', { caseId: existing?.caseId ?? null })
    return { status: 'duplicate' as const, case: caseLabel(existing!.number), rawId }
  })
}

/** A cheap check before anything is stored, for callers that can refuse input outright (the CLI). */
export function describeUnusableInput(raw: Uint8Array): string | null {
  if (raw.byteLength === 0) return 'the message is empty'
  const head = Buffer.from(raw.subarray(0, 4096)).toString('latin1')
  if (head.includes('\0')) return 'this is binary data, not an email message (.eml)'
  if (!/^[!-9;-~]+:/m.test(head)) return 'no email headers found (expected lines like "From: …" at the top)'
  return null
}
