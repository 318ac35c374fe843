import { randomUUID } from 'node:crypto'
import { recordAudit } from '../audit/audit.ts'
import { lockCase } from '../cases/case-record.ts'
import { caseLabel } from '../cases/terms.ts'
import { changeStatus, transitions } from '../cases/lifecycle.ts'
import type { Tx } from '../db.ts'
import { saveEditedDraft } from '../drafts/edits.ts'
import { singleLine } from '../outbound/headers.ts'
import { listDraftVersions, type DraftVersion } from '../drafts/queries.ts'
import { insertJob } from '../jobs/queries.ts'
import { loadFourEyes, needsAnotherApprover } from './four-eyes.ts'
import { contentHash, eligibleApprovers, requestApproval, type ApprovalInvite, type LinkDeps } from './requests.ts'
import { listedApprovers } from '../orgs/approvers.ts'
import { caseReplyTo, replyFrom } from '../outbound/identity.ts'
import { defaultMailFrom } from '../outbound/mailer.ts'

export type Decision = {
  orgId: string
  caseId: string
  /** The version the approver reviewed; a newer one means they must look again. */
  draftId: string
  approver: { id: string; role: string }
  decision: 'approved' | 'rejected'
  note?: string | null
  acknowledged?: string[]
  /** The approver's edit of the text: it becomes a new version authored by them, which is what is approved. */
  edit?: { to: string; subject: string; body: string } | null
  via: 'link' | 'portal'
  /** The approval request answered through a link (its jti was consumed in this transaction). */
  requestJti?: string | null
  messageIdDomain: string
  /** The desk's own sender (MAIL_FROM), for orgs that set none of their own. */
  mailFrom?: string
  /** To ask the other approvers when four eyes apply to this approver; without it, such an approval is refused. */
  links?: LinkDeps
}

export type DecisionResult =
  | { ok: true; decision: 'approved' | 'rejected'; version: number; outboxId: string | null }
  /** The approver wrote part of this version and may not approve it alone: the others were asked (invites, maybe none). */
  | { ok: true; decision: 'handed_on'; version: number; outboxId: null; invites: ApprovalInvite[] }
  | { ok: false; reason: 'superseded'; current: DraftVersion | null }
  | { ok: false; reason: 'refused'; message: string; errors?: Record<string, string> }

/** Refusals that undo the transaction (the link stays usable); see routes. */
export class DecisionRefused extends Error {
  constructor(readonly result: Exclude<DecisionResult, { ok: true }>) {
    super(result.reason)
  }
}

const changed = (d: DraftVersion, e: NonNullable<Decision['edit']>) =>
  singleLine(e.subject) !== d.subject ||
  e.body.replace(/\r\n?/g, '\n').trim() !== d.body ||
  e.to
    .split(/[\s,;]+/)
    .map((a) => a.trim().toLowerCase())
    .filter(Boolean)
    .join(',') !== d.toEmails.join(',')

/**
 * Records an approver's decision on one draft version, in the caller's transaction. Approval
 * writes the outbox row (the database refuses it unless the approval matches the exact text)
 * and queues the send; rejection sends the case back to its owner. Both are audited. An
 * approver who wrote or edited the version, where the org wants two people, hands it on: the
 * edit is kept as a new version and the other approvers are asked to approve it.
 */
export async function decide(tx: Tx, d: Decision): Promise<DecisionResult> {
  const kase = await lockCase(tx, d.caseId)
  if (d.approver.role !== 'approver' && d.approver.role !== 'admin') {
    return { ok: false, reason: 'refused', message: 'Only an approver or admin can approve or reject replies.' }
  }
  const [latest] = await listDraftVersions(tx, d.caseId, 1)
  if (!latest || latest.id !== d.draftId) return { ok: false, reason: 'superseded', current: latest ?? null }

  const { draft, edited } = await withApproverEdit(tx, d, latest)
  const warnings = [...new Set(draft.guardrailFlags.filter((f) => f.severity === 'warn').map((f) => f.code))]
  const acknowledged = (d.acknowledged ?? []).filter((code) => warnings.includes(code as never))
  if (d.decision === 'approved') {
    refuseBlocked(draft)
    if (needsAnotherApprover(await loadFourEyes(tx, d.caseId, draft.id), d.approver.id)) return handOn(tx, d, draft, edited)
    await refuseUnready(tx, d, kase.number, { warnings, acknowledged })
  }
  // The sender is approved with the text: the outbox row carries exactly this From.
  const from = await replyFrom(tx, d.caseId, d.mailFrom ?? defaultMailFrom)
  const hash = await contentHash(tx, draft, from)
  const [approval] = await tx<{ id: string }[]>`
    insert into approvals (org_id, case_id, draft_id, content_hash, from_address, approver_id, decision, note, acknowledged_flags, via)
    values (${d.orgId}, ${d.caseId}, ${draft.id}, ${hash}, ${from}, ${d.approver.id}, ${d.decision}, ${d.note?.trim() || null}, ${acknowledged}, ${d.via})
    on conflict (draft_id) where decision = 'approved' do nothing
    returning id`
  if (!approval) {
    return {
      ok: false,
      reason: 'refused',
      message: `Version ${draft.version} of ${caseLabel(kase.number)} was already approved by someone else; it is on its way.`,
    }
  }
  await tx`
    update approval_requests set decided_at = now()
    where case_id = ${d.caseId} and decided_at is null and (voided_at is null or jti = ${d.requestJti ?? ''})`

  let outboxId: string | null = null
  if (d.decision === 'approved') {
    outboxId = await queueReply(tx, d, draft, approval.id, from)
  } else if (transitions[kase.status].includes('in_progress')) {
    await changeStatus(tx, d.orgId, d.caseId, { kind: 'user', id: d.approver.id }, { to: 'in_progress', reason: 'reply rejected' })
  }
  await recordAudit(tx, d.orgId, {
    actor: { kind: 'user', id: d.approver.id },
    action: d.decision === 'approved' ? 'draft.approve' : 'draft.reject',
    caseId: d.caseId,
    details: {
      version: draft.version,
      via: d.via,
      ...(edited ? { editedByApprover: true } : {}),
      ...(acknowledged.length ? { acknowledged } : {}),
      ...(d.note?.trim() ? { note: d.note.trim() } : {}),
      ...(outboxId ? { outboxId } : {}),
    },
  })
  return { ok: true, decision: d.decision, version: draft.version, outboxId }
}

/** An approval that changes the text saves the edit as a new version first: that version is what is approved. */
async function withApproverEdit(tx: Tx, d: Decision, latest: DraftVersion): Promise<{ draft: DraftVersion; edited: boolean }> {
  if (d.decision !== 'approved' || !d.edit || !changed(latest, d.edit)) return { draft: latest, edited: false }
  const saved = await saveEditedDraft(tx, d.orgId, d.caseId, d.approver, { ...d.edit, baseVersion: String(latest.version) })
  if (!saved.ok)
    throw new DecisionRefused({ ok: false, reason: 'refused', message: 'The edited reply is not valid.', errors: saved.errors })
  const [draft] = await listDraftVersions(tx, d.caseId, 1)
  return { draft: draft!, edited: true }
}

function refuseBlocked(draft: DraftVersion): void {
  const blockers = draft.guardrailFlags.filter((f) => f.severity === 'block')
  if (!blockers.length) return
  throw new DecisionRefused({
    ok: false,
    reason: 'refused',
    message: `This reply cannot be approved yet: ${blockers.map((f) => f.message).join(' ')}`,
  })
}

/** What stops this approver approving now: new mail from the customer, unread warnings, not a listed approver. */
async function refuseUnready(
  tx: Tx,
  d: Decision,
  caseNumber: number,
  flags: { warnings: string[]; acknowledged: string[] },
): Promise<void> {
  if (await customerWroteMeanwhile(tx, d.caseId)) {
    throw new DecisionRefused({
      ok: false,
      reason: 'refused',
      message: 'The customer wrote again a moment ago: read their message on the case, then decide.',
    })
  }
  const missing = flags.warnings.filter((code) => !flags.acknowledged.includes(code))
  if (missing.length) {
    throw new DecisionRefused({
      ok: false,
      reason: 'refused',
      message: `Tick each warning to confirm you have read it: ${missing.join(', ').replaceAll('_', ' ')}.`,
    })
  }
  const listed = await listedApprovers(tx, d.caseId)
  if (listed && !listed.includes(d.approver.id)) {
    throw new DecisionRefused({
      ok: false,
      reason: 'refused',
      message: `${caseLabel(caseNumber)} goes to the approvers your organization lists for its source or severity; ask one of them (the case page's Request approval does).`,
    })
  }
}

/** The approved text as an outbox row, threaded into the customer's conversation, and its send job. */
async function queueReply(tx: Tx, d: Decision, draft: DraftVersion, approvalId: string, from: string): Promise<string> {
  const outboxId = randomUUID()
  const thread = await threadingFor(tx, d.caseId)
  await tx`
    insert into outbox (id, org_id, case_id, draft_id, approval_id, to_emails, cc_emails, attachments, subject, body, from_address,
                        message_id, in_reply_to, reference_ids, reply_to, idempotency_key)
    values (${outboxId}, ${d.orgId}, ${d.caseId}, ${draft.id}, ${approvalId}, ${draft.toEmails}, ${draft.ccEmails},
            draft_files_manifest(${draft.id}), ${draft.subject}, ${draft.body}, ${from},
            ${`${randomUUID()}@${d.messageIdDomain}`}, ${thread.inReplyTo}, ${thread.references}, ${thread.replyTo}, ${`reply/${outboxId}`})`
  await insertJob(tx, d.orgId, 'send', { outboxId, caseId: d.caseId })
  return outboxId
}

/**
 * Four eyes: the approver's edit (if any) is saved, and the other approvers get a fresh request
 * for this version. With nobody else to ask, an edit still stands and the approver is told; with
 * no edit, nothing changed, so the approval is simply refused.
 */
async function handOn(tx: Tx, d: Decision, draft: DraftVersion, edited: boolean): Promise<DecisionResult> {
  const others = await eligibleApprovers(tx, d.caseId, await loadFourEyes(tx, d.caseId, draft.id))
  if (!d.links || (!others.length && !edited)) {
    throw new DecisionRefused({
      ok: false,
      reason: 'refused',
      message: `You wrote or edited version ${draft.version}, so another approver must approve it${others.length ? ': ask for approval.' : ', and nobody else in your organization can approve replies yet. An admin can give someone the approver role.'}`,
    })
  }
  const { invites } = others.length
    ? await requestApproval(tx, d.links, d.orgId, d.caseId, d.approver, 'the approver wrote or edited this version')
    : { invites: [] }
  // Whatever the approver's own link asked for is answered: their decision was to hand it on.
  await tx`update approval_requests set decided_at = now() where case_id = ${d.caseId} and jti = ${d.requestJti ?? ''} and decided_at is null`
  return { ok: true, decision: 'handed_on', version: draft.version, outboxId: null, invites }
}

/** Mail filed on the case by a transaction that began after this one: the approver has not seen it. */
async function customerWroteMeanwhile(tx: Tx, caseId: string): Promise<boolean> {
  const [row] = await tx<{ wrote: boolean }[]>`
    select exists (select 1 from messages where case_id = ${caseId} and direction = 'inbound'
                   and threaded_by is distinct from 'forward_copy' and created_at > now()) as wrote`
  return row!.wrote
}

/**
 * Threading: In-Reply-To the customer's latest Message-ID we hold, References the
 * whole chain in order, Reply-To our address with the case's random token.
 */
async function threadingFor(tx: Tx, caseId: string) {
  const [c] = await tx<{ replyToMessageId: string | null; replyReferences: string[] }[]>`
    select reply_to_message_id as "replyToMessageId", reply_references as "replyReferences" from cases where id = ${caseId}`
  const chain = await tx<{ messageId: string; direction: string; fromEmail: string | null }[]>`
    select m.message_id as "messageId", m.direction, m.from_email as "fromEmail" from messages m
    where m.case_id = ${caseId} and m.message_id is not null and m.direction <> 'note' order by m.created_at, m.id`
  const [customer] = await tx<{ email: string | null }[]>`select customer_email as email from cases where id = ${caseId}`
  // Only messages of the customer's own thread: a forward's outer Message-ID is the executive's.
  const inThread = chain.filter((m) => m.direction === 'outbound' || m.fromEmail === customer?.email)
  const references = [...new Set([...c!.replyReferences, ...inThread.map((m) => m.messageId)])]
  const lastFromCustomer = inThread.filter((m) => m.direction === 'inbound').at(-1)?.messageId
  return { inReplyTo: lastFromCustomer ?? c!.replyToMessageId, references, replyTo: await caseReplyTo(tx, caseId) }
}
