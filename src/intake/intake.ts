// Intake: one raw message in, a case, a threaded message or a kept not-escalation out. The raw
// bytes are stored first; the analysis runs (in a worker pool when given one), the model's
// reading is added when there is a key, and the case or thread, its message and its audit event
// commit together. A message that cannot be read is quarantined with its bytes.
import { createHash } from 'node:crypto'
import { voidOnNewInbound } from '../approvals/requests.ts'
import { recordAudit, systemActor, type Actor } from '../audit/audit.ts'
import { reopenOnCustomerReply } from '../cases/lifecycle.ts'
import { CaseClaimed, createCase } from '../cases/create.ts'
import { caseLabel } from '../cases/terms.ts'
import { withOrg, type Db, type Tx, type WithOrgOptions } from '../db.ts'
import { analyzeMessage, type Analysed, type Analyzer } from './analyze.ts'
import { messageRow, newCaseFromMail, rawSummary } from './case-rows.ts'
import { defaultLimits, headerMessageId, type Limits } from './parse.ts'
import { extractWithModel, withModelExtraction, type ModelEnv } from './model.ts'
import { loadIntakeContext } from '../orgs/intake-context.ts'
import type { OrgContext } from './org-context.ts'
import { storeAttachments } from '../attachments/store.ts'
import { failBouncedReplies, readDeliveryReport } from '../outbound/bounces.ts'
import { findCaseByDedupeKey, findEarlierCopy, insertCaseKeys, insertMessageOnce, insertRaw, markRaw } from './queries.ts'
import { headerRecipients } from './routing.ts'
import { jobsCommitted } from '../jobs/wake.ts'
import { dedupeKeys, findAutomaticThread, findThread, mailClaims, type ThreadMatch } from './threading.ts'

export type IntakeOutcome =
  | { status: 'created' | 'threaded'; case: string; rawId: string }
  /** A redelivery; `case` is null for a kept not-escalation that answers no case. */
  | { status: 'duplicate'; case: string | null; rawId: string }
  /** Automatic mail: no case of its own; `case` is the one it was attached to, if any. */
  | { status: 'not_escalation'; case: string | null; rawId: string; reason: string }
  | { status: 'quarantined'; case: null; rawId: string; reason: string }

export type IntakeInput = {
  orgId: string
  raw: Uint8Array
  provider: string
  envelope?: { to?: string[] } & Record<string, unknown>
  limits?: Limits
  /** Where the message is analysed: in this thread when absent, else e.g. a worker pool. */
  analyze?: Analyzer
  /** With an OpenAI key, the model's reading is added to the rules' (src/intake/model.ts). */
  env?: ModelEnv
  /**
   * A person decided this kept not-escalation is one after all ("Open a case from this
   * message"): it goes through the normal case creation, with them as the actor.
   */
  escalatedBy?: Actor
}

/** Intake's transactions look up by key: the plans each connection keeps (db.ts). */
const intakePlans: WithOrgOptions = { genericPlans: true }

/** Raised inside the transaction to roll it back when the message is already on a case. */
class AlreadyIngested extends Error {}

/**
 * The one way mail becomes a case. The raw bytes are committed first, so nothing is lost even if
 * parsing crashes the process; then the case (or the thread it joins), its message and the audit
 * event commit together.
 */
export async function ingestMessage(db: Db, input: IntakeInput): Promise<IntakeOutcome> {
  const sha256 = createHash('sha256').update(input.raw).digest('hex')
  // A redelivery (a provider's retry, a replayed webhook) stores no second copy: the same bytes,
  // or the same Message-ID, already on a case of this org answer `duplicate` straight away.
  // One transaction: the check, the raw copy and what intake knows of the org (each transaction
  // costs three round trips of its own before its first statement's answer).
  const stored = await withOrg(
    db,
    input.orgId,
    async (tx) => {
      const earlier = await findEarlierCopy(tx, sha256, headerMessageId(input.raw))
      if (earlier) return { earlier }
      const [{ id: rawId }, org] = await Promise.all([
        insertRaw(tx, { orgId: input.orgId, provider: input.provider, sha256, bytes: input.raw, envelope: input.envelope }),
        loadIntakeContext(tx, input.orgId),
      ])
      return { earlier: null, rawId, org }
    },
    intakePlans,
  )
  if (stored.earlier) {
    const { earlier } = stored
    return { status: 'duplicate', case: earlier.number === null ? null : caseLabel(earlier.number), rawId: earlier.rawId }
  }
  return processStored(db, { ...input, rawId: stored.rawId, sha256 }, stored.org)
}

/**
 * Runs the pipeline on a stored raw message: used by intake and by `desk ingest --reprocess`.
 * `context` is what intake knows of the org, when the caller read it already.
 */
export async function processStored(
  db: Db,
  input: IntakeInput & { rawId: string; sha256: string },
  context?: OrgContext,
): Promise<IntakeOutcome> {
  const { orgId, rawId } = input
  const org = context ?? (await withOrg(db, orgId, (tx) => loadIntakeContext(tx, orgId)))
  const analyze = input.analyze ?? analyzeMessage
  const analysed = await analyze(input.raw, org, input.limits ?? defaultLimits)
  if (!analysed.ok) return quarantine(db, orgId, rawId, analysed.reason)
  const analysis = input.env?.OPENAI_API_KEY ? withModelExtraction(analysed, await extractWithModel(input.env, analysed, org)) : analysed

  const dedupeKey = analysis.mail.messageId ? `mid:${analysis.mail.messageId}` : `sha256:${input.sha256}`
  const recipients = [...(input.envelope?.to ?? []), ...headerRecipients(input.raw)]
  const automatic = !analysis.classification.isEscalation && !input.escalatedBy
  try {
    if (automatic) return await keepAutomatic(db, orgId, analysis, { ...input, dedupeKey }, recipients, org.inboundAddresses)
    const delivery = { ...input, dedupeKey }
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await withOrg(
          db,
          orgId,
          async (tx) => {
            const [already, match] = await Promise.all([
              findCaseByDedupeKey(tx, dedupeKey),
              findThread(tx, analysis, recipients, org.inboundAddresses),
            ])
            if (already) throw new AlreadyIngested()
            if (!match) return openCaseFromMail(tx, orgId, analysis, delivery)
            return threadMessage(tx, orgId, match, analysis, delivery)
          },
          intakePlans,
        )
        // Committed: a new case's draft job can start now rather than at the runner's next poll.
        jobsCommitted()
        return outcome
      } catch (error) {
        // A concurrent delivery of the same complaint committed its case while this one was
        // being filed: its keys or Message-IDs (CaseClaimed, the last look before the number),
        // or its reference (the unique index). Looked for again, the mail joins that case. A
        // deadlock (a thread's keys and a new case's, each waiting on the other's attachment
        // usage) rolled this one back: it runs again.
        if (attempt < 3 && (error instanceof CaseClaimed || isUniqueViolation(error) || isDeadlock(error))) continue
        throw error
      }
    }
  } catch (error) {
    // A value PostgreSQL will not store (too large for an index, a character it cannot hold) is
    // a bug of ours to fix, not a reason to refuse the message forever: it is kept quarantined
    // with the reason and can be reprocessed once fixed (promise 1). Found by fuzzing.
    if (isUnstorableData(error)) return quarantine(db, orgId, rawId, `could not be stored: ${(error as Error).message}`)
    if (!(error instanceof AlreadyIngested) && !isUniqueViolation(error)) throw error
  }
  return withOrg(db, orgId, async (tx) => {
    const existing = await findCaseByDedupeKey(tx, dedupeKey)
    if (!existing) throw new Error('a concurrent delivery collided but left no case; the sender should retry')
    await markRaw(tx, rawId, 'duplicate', { caseId: existing.caseId, reopen: !!input.escalatedBy })
    return { status: 'duplicate' as const, case: caseLabel(existing.number), rawId }
  })
}

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505'
const isDeadlock = (error: unknown) => (error as { code?: string }).code === '40P01'
/** PostgreSQL's data exceptions (class 22) and program limits (class 54, e.g. an index row too large). */
const isUnstorableData = (error: unknown) => /^(22|54)/.test((error as { code?: string } | null)?.code ?? '')

async function quarantine(db: Db, orgId: string, rawId: string, reason: string): Promise<IntakeOutcome> {
  await withOrg(db, orgId, async (tx) => {
    await markRaw(tx, rawId, 'quarantined', { reason })
    await recordAudit(tx, orgId, { actor: systemActor, action: 'message.quarantine', details: { rawId, reason } })
  })
  return { status: 'quarantined', case: null, rawId, reason }
}

type Delivery = IntakeInput & { rawId: string; dedupeKey: string }

/**
 * Automatic mail (an auto-reply, a delivery report, bulk mail) is kept, never made a case or a
 * draft. When it answers a case's thread it is attached to that case as a flagged note: it is
 * not the customer writing, so the case stays as it is and approvals stand. A final bounce of a
 * reply we sent fails that send, so the owner sees it.
 */
async function keepAutomatic(
  db: Db,
  orgId: string,
  a: Analysed,
  d: Delivery,
  recipients: string[],
  inboundAddresses: string[],
): Promise<IntakeOutcome> {
  const reason = a.classification.escalationReason
  const summary = rawSummary(a)
  return withOrg(
    db,
    orgId,
    async (tx) => {
      const match = await findAutomaticThread(tx, a, recipients, inboundAddresses)
      if (!match) {
        // The audit event last: from it to commit the transaction holds the org's chain lock.
        await markRaw(tx, d.rawId, 'not_escalation', { reason, summary })
        await recordAudit(tx, orgId, {
          actor: systemActor,
          action: 'message.not_escalation',
          details: { rawId: d.rawId, reason, via: d.provider },
        })
        return { status: 'not_escalation' as const, case: null, rawId: d.rawId, reason }
      }
      const kind = a.classification.noise?.kind ?? 'automated'
      const note = await insertMessageOnce(tx, orgId, { ...messageRow(a, match.caseId, d), direction: 'note', automatic: { kind, reason } })
      await markRaw(tx, d.rawId, 'not_escalation', { reason, summary, caseId: match.caseId })
      if (note) {
        const report = kind === 'delivery_report' ? readDeliveryReport(d.raw) : null
        const failed = report
          ? await failBouncedReplies(tx, orgId, match.caseId, a.classification.referencedMessageIds, report, d.rawId)
          : []
        // The files after every lock but the audit chain's: storing them locks the org's attachment usage until commit.
        await storeAttachments(tx, orgId, note.id, a.mail.files, d.limits?.files)
        await recordAudit(tx, orgId, {
          actor: systemActor,
          action: 'message.automatic',
          caseId: match.caseId,
          details: {
            rawId: d.rawId,
            kind,
            reason,
            from: summary.from,
            threadedBy: match.by,
            ...(report?.action ? { delivery: report.action } : {}),
            ...(failed.length ? { failedSends: failed } : {}),
          },
        })
      }
      return { status: 'not_escalation' as const, case: caseLabel(match.number), rawId: d.rawId, reason }
    },
    intakePlans,
  )
}

/**
 * The case is inserted unnumbered; its message, keys, the raw row's mark and its files are
 * written before the number is taken, so a concurrent copy of the same complaint waits on these
 * keys (unique indexes) rather than on the org row. Each per-org lock is taken as late as it can
 * be: the attachment usage row (files kept) after everything but the number; the org row and the
 * audit chain in the last statement (createCases), which takes the number and writes the audit
 * event after a last look for a case that claimed the mail meanwhile.
 */
async function openCaseFromMail(tx: Tx, orgId: string, a: Analysed, d: Delivery): Promise<IntakeOutcome> {
  const kase = await createCase(tx, orgId, newCaseFromMail(a, d), {
    claims: mailClaims(a),
    beforeNumbering: async ([row]) => {
      const caseId = row!.id
      const message = await insertMessageOnce(tx, orgId, { ...messageRow(a, caseId, d), forwardedBy: a.classification.forwardedBy })
      if (!message) throw new AlreadyIngested()
      // One pipeline: postgres.js sends both before reading either answer; PostgreSQL runs them in order.
      await Promise.all([
        insertCaseKeys(tx, orgId, caseId, dedupeKeys(a)),
        markRaw(tx, d.rawId, 'processed', { caseId, reopen: !!d.escalatedBy }),
      ])
      // The files last: storing them locks the org's attachment usage until commit.
      await storeAttachments(tx, orgId, message.id, a.mail.files, d.limits?.files)
    },
  })
  return { status: 'created', case: caseLabel(kase.number), rawId: d.rawId }
}

async function threadMessage(tx: Tx, orgId: string, match: ThreadMatch, a: Analysed, d: Delivery): Promise<IntakeOutcome> {
  const [kase] = await tx<{ customerEmail: string | null; forwardedBy: string[] }[]>`
    select customer_email as "customerEmail", forwarded_by as "forwardedBy" from cases where id = ${match.caseId} for no key update`
  const sender = a.mail.from?.email.toLowerCase() ?? ''
  const forwarders = a.classification.forwardedBy
  const team = await tx<{ email: string }[]>`select email from app_users where email = ${sender}`
  const known = sender === kase!.customerEmail || kase!.forwardedBy.includes(sender) || team.length > 0
  const message = await insertMessageOnce(tx, orgId, messageRow(a, match.caseId, d))
  if (!message) throw new AlreadyIngested()
  await tx`update messages set threaded_by = ${match.by}, unknown_sender = ${!known && match.by !== 'forward_copy'}, forwarded_by = ${forwarders} where id = ${message.id}`
  const newForwarders = forwarders.filter((f) => !kase!.forwardedBy.includes(f))
  if (newForwarders.length) {
    await tx`update cases set forwarded_by = forwarded_by || ${newForwarders}::text[] where id = ${match.caseId}`
  }
  // A later copy of this mail may share only this message's keys (another client's quoting).
  // The audit event after these: from it to commit the transaction holds the org's chain lock.
  await Promise.all([
    insertCaseKeys(tx, orgId, match.caseId, dedupeKeys(a)),
    markRaw(tx, d.rawId, 'threaded', { caseId: match.caseId, reopen: !!d.escalatedBy }),
  ])
  // The files after every lock but the audit chain's: storing them locks the org's attachment
  // usage until commit (src/attachments/store.ts), always before the chain, as a new case does.
  const files = await storeAttachments(tx, orgId, message.id, a.mail.files, d.limits?.files)
  await recordAudit(tx, orgId, {
    actor: sender === kase!.customerEmail ? { kind: 'customer', id: sender } : systemActor,
    action: 'message.receive',
    caseId: match.caseId,
    details: {
      via: d.provider,
      messageId: a.mail.messageId,
      threadedBy: match.by,
      from: sender,
      ...(known ? {} : { unknownSender: true }),
      ...(newForwarders.length ? { newForwarders } : {}),
      ...(files.kept || files.notKept ? { attachments: files } : {}),
    },
  })
  // What the customer wrote changes what a good reply is: pending approvals lapse.
  if (match.by !== 'forward_copy') await voidOnNewInbound(tx, orgId, match.caseId)
  if (sender === kase!.customerEmail) await reopenOnCustomerReply(tx, orgId, match.caseId)
  return { status: 'threaded', case: caseLabel(match.number), rawId: d.rawId }
}

/** A cheap check before anything is stored, for callers that can refuse input outright (the CLI). */
export function describeUnusableInput(raw: Uint8Array): string | null {
  if (raw.byteLength === 0) return 'the message is empty'
  const head = Buffer.from(raw.subarray(0, 4096)).toString('latin1')
  if (head.includes('\0')) return 'this is binary data, not an email message (.eml)'
  if (!/^[!-9;-~]+:/m.test(head)) return 'no email headers found (expected lines like "From: …" at the top)'
  return null
}
