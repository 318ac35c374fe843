import { recordAudit, userActor } from '../audit/audit.ts'
import { voidPendingApprovals, type VoidReason } from '../approvals/void.ts'
import type { DbOrTx, Tx } from '../db.ts'
import { AppError } from '../http/errors.ts'
import { isUuid } from '../http/ids.ts'
import type { UserRole } from '../orgs/queries.ts'
import { recomputeClocks } from '../sla/clocks.ts'
import { loadSlaSettings } from '../sla/settings.ts'
import { caseNumberIn } from './find.ts'
import { caseLabel, type CaseStatus, type Severity } from './terms.ts'

// Two cases that turn out to be one complaint become one (README, "Triage and cases"): the
// database moves the thread, notes, dedupe keys and what the survivor lacks (merge_case,
// sql/00025, with both rows locked); here the stale approvals lapse through the one void path,
// the clocks are recomputed through the SLA code, and both cases get their audit event.

export type MergeActor = { id: string; role: UserRole }

/** What the confirmation shows of each case, so a person sees which two they are joining. */
export type MergeSide = {
  id: string
  number: number
  subject: string
  status: CaseStatus
  severity: Severity
  customerName: string | null
  customerEmail: string | null
  externalRef: string | null
  openedAt: Date
  messages: number
  mergedInto: number | null
}

export type MergeRequest = { intoNumber: number; reason: string }

/** What merge_case() moved, as it reports it (and both audit events record it). */
type Moved = {
  from: { id: string; number: number; status: CaseStatus; openedAt: string }
  into: { id: string; number: number; openedAt: string; openedAtNow: string }
  messages: number
  keys: number
  externalRef: string | null
  otherExternalRef: string | null
  forwarders: string[]
  ownerId: string | null
  repointed: number
}

export type MergeResult = { from: { id: string; number: number }; into: { id: string; number: number }; moved: Moved }

const canMerge = (role: UserRole) => role === 'approver' || role === 'admin'

// The links of lapsed approvals say why they stopped working (src/approvals/void.ts).
const voidedOnMergedCase: VoidReason = 'the case was merged into another case'
const voidedOnSurvivor: VoidReason = 'another case was merged into this one'

/** Reads the form: the other case's number ("ESC-1042", "1042") and a reason, both required. */
export function readMergeForm(form: Record<string, string>): MergeRequest {
  const into = (form.into ?? '').trim()
  const intoNumber = caseNumberIn(into) ?? (/^\d{1,9}$/.test(into) ? Number(into) : null)
  if (intoNumber === null) throw new AppError('BAD_INPUT', 'Give the number of the case to merge into, like ESC-1042.')
  const reason = (form.reason ?? '').trim()
  if (!reason) throw new AppError('BAD_INPUT', 'Give the reason for merging the cases.')
  if (reason.length > 2000) throw new AppError('BAD_INPUT', 'Keep the reason under 2,000 characters.')
  return { intoNumber, reason }
}

async function mergeSide(db: DbOrTx, where: { id: string } | { number: number }): Promise<MergeSide | undefined> {
  const [row]: [MergeSide?] = await db`
    select c.id, c.number, c.subject, c.status, c.severity, c.customer_name as "customerName",
           c.customer_email as "customerEmail", c.external_ref as "externalRef", c.opened_at as "openedAt",
           (select count(*)::int from messages m where m.case_id = c.id) as messages,
           (select s.number from cases s where s.id = c.merged_into) as "mergedInto"
    from cases c where ${'id' in where ? db`c.id = ${where.id}` : db`c.number = ${where.number}`}`
  return row
}

/**
 * Both cases as the confirmation names them. The case on the page must exist (else a 404, as
 * for another org's case); the other one may not, which the form says.
 */
export async function mergePreview(db: DbOrTx, fromId: string, intoNumber: number): Promise<{ from: MergeSide; into: MergeSide | null }> {
  return { from: await mergeSource(db, fromId), into: (await mergeSide(db, { number: intoNumber })) ?? null }
}

/** The case on the page, to be merged into another; a 404 when this org has no such case. */
export async function mergeSource(db: DbOrTx, fromId: string): Promise<MergeSide> {
  const from = isUuid(fromId) ? await mergeSide(db, { id: fromId }) : undefined
  if (!from) throw new AppError('NOT_FOUND', 'That case does not exist.')
  return from
}

/** The PostgreSQL refusals of merge_case() as the desk's errors, with the database's own sentence. */
function refusal(e: unknown): never {
  const { code, message } = e as { code?: string; message?: string }
  if (code === 'P0002') throw new AppError('NOT_FOUND', message ?? 'That case does not exist.')
  if (code === '42501') throw new AppError('FORBIDDEN', message ?? 'Only an approver or admin can merge cases.')
  if (code === '23514') throw new AppError('INVALID_STATE', message ?? 'These cases cannot be merged.')
  throw e
}

/**
 * Merges `fromId` into the case numbered `intoNumber`, for an approver or admin. Pending
 * approvals of both cases lapse: the merged case sends nothing any more, and the survivor's
 * thread now holds mail its approved reply did not answer (promise 3).
 */
export async function mergeCases(tx: Tx, orgId: string, fromId: string, request: MergeRequest, actor: MergeActor): Promise<MergeResult> {
  if (!canMerge(actor.role)) throw new AppError('FORBIDDEN', 'Only an approver or admin can merge cases.')
  if (!isUuid(fromId)) throw new AppError('NOT_FOUND', 'That case does not exist.')
  const [target]: [{ id: string }?] = await tx`select id from cases where number = ${request.intoNumber}`
  if (!target) throw new AppError('NOT_FOUND', `There is no case ${caseLabel(request.intoNumber)}.`)

  let moved: Moved
  try {
    const [row] = await tx<{ moved: Moved }[]>`
      select merge_case(${actor.id}, ${fromId}, ${target.id}, ${request.reason}) as moved`
    moved = row!.moved
  } catch (e) {
    refusal(e)
  }
  const from = { id: moved.from.id, number: moved.from.number }
  const into = { id: moved.into.id, number: moved.into.number }
  const who = userActor(actor)

  // Both rows are locked by merge_case until commit, as voidPendingApprovals requires.
  const voidedFrom = await voidPendingApprovals(tx, orgId, from.id, voidedOnMergedCase, who)
  const voidedInto = await voidPendingApprovals(tx, orgId, into.id, voidedOnSurvivor, who)
  const settings = await loadSlaSettings(tx, orgId)
  await recomputeClocks(tx, orgId, from.id, settings)
  await recomputeClocks(tx, orgId, into.id, settings)

  const what = {
    reason: request.reason,
    messages: moved.messages,
    dedupeKeys: moved.keys,
    ...(moved.externalRef ? { externalRef: moved.externalRef } : {}),
    ...(moved.otherExternalRef ? { otherExternalRef: moved.otherExternalRef } : {}),
    ...(moved.forwarders.length ? { forwarders: moved.forwarders } : {}),
    ...(moved.ownerId ? { ownerId: moved.ownerId } : {}),
    openedAt: { before: moved.into.openedAt, after: moved.into.openedAtNow },
  }
  await recordAudit(tx, orgId, {
    actor: who,
    action: 'case.merge',
    caseId: from.id,
    details: { into: caseLabel(into.number), intoId: into.id, fromStatus: moved.from.status, ...what, voided: voidedFrom },
  })
  await recordAudit(tx, orgId, {
    actor: who,
    action: 'case.merge',
    caseId: into.id,
    details: { from: caseLabel(from.number), fromId: from.id, ...what, voided: voidedInto },
  })
  return { from, into, moved }
}

/** The case a merged case now lives on, or null for a case that was not merged. */
export async function survivingCaseId(db: DbOrTx, caseId: string): Promise<string | null> {
  if (!isUuid(caseId)) return null
  const [row]: [{ mergedInto: string | null }?] = await db`select merged_into as "mergedInto" from cases where id = ${caseId}`
  return row?.mergedInto ?? null
}

/** Refuses an action on a merged case, naming the case that carries on. */
export async function refuseMergedCase(db: DbOrTx, caseId: string): Promise<void> {
  const [row]: [{ number: number; into: number }?] = await db`
    select c.number, s.number as into from cases c join cases s on s.id = c.merged_into where c.id = ${caseId}`
  if (row)
    throw new AppError('INVALID_STATE', `${caseLabel(row.number)} was merged into ${caseLabel(row.into)}; work on that case instead.`)
}

/** A draft version of a merged case, as the survivor's page lists it. */
export type MergedDraft = {
  version: number
  purpose: string
  authorKind: string
  authorName: string | null
  subject: string
  body: string
  /** ISO time (read through json_agg). */
  createdAt: string
  decision: 'approved' | 'rejected' | null
  sent: boolean
}

export type MergedCase = {
  id: string
  number: number
  subject: string
  mergedAt: Date
  closeReason: string | null
  drafts: MergedDraft[]
}

/** The cases merged into this one, newest merge first, each with its drafts history (oldest first). */
export async function listMergedCases(db: DbOrTx, intoId: string): Promise<MergedCase[]> {
  return db<MergedCase[]>`
    select c.id, c.number, c.subject, c.merged_at as "mergedAt", c.close_reason as "closeReason",
           coalesce((
             select json_agg(json_build_object(
                      'version', d.version, 'purpose', d.purpose, 'authorKind', d.author_kind,
                      'authorName', coalesce(nullif(u.name, ''), u.email, d.author), 'subject', d.subject, 'body', d.body,
                      'createdAt', d.created_at,
                      'decision', (select a.decision from approvals a where a.draft_id = d.id order by a.created_at desc limit 1),
                      'sent', exists (select 1 from outbox o where o.draft_id = d.id and o.status = 'sent'))
                    order by d.version)
             from drafts d left join app_users u on u.id = d.author_id where d.case_id = c.id), '[]') as drafts
    from cases c where c.merged_into = ${intoId}
    order by c.merged_at desc, c.number desc`
}
