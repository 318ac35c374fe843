import { z } from 'zod'
import { recordAudit } from '../audit/audit.ts'
import { label, lockCase } from '../cases/case-record.ts'
import { confirmResolution } from '../cases/lifecycle.ts'
import type { Q, Tx } from '../db.ts'
import { AppError } from '../http/errors.ts'
import { consumeCustomerLink, issueCustomerLink, type CustomerLinkClaims } from './links.ts'

// CSAT and the customer's "it's resolved" confirmation. Both links travel inside the resolution
// message, which is a draft like any other: it reaches the customer only once an approver has
// approved that exact text (the links included).

export const ratingLabels: Record<number, string> = { 5: 'Excellent', 4: 'Good', 3: 'Okay', 2: 'Poor', 1: 'Very poor' }

export type LinkDeps = { key: Uint8Array; publicUrl: string }

/** Issues the rating and confirmation links of one resolution message and words them for the customer. */
export async function customerLinksBlock(tx: Tx, deps: LinkDeps, orgId: string, caseId: string): Promise<string> {
  const [kase] = await tx<{ number: number }[]>`select number from cases where id = ${caseId}`
  if (!kase) throw new AppError('NOT_FOUND', 'That case does not exist.')
  const base = deps.publicUrl.replace(/\/+$/, '')
  const rate = await issueCustomerLink(tx, deps.key, { orgId, caseId, purpose: 'csat' })
  const confirm = await issueCustomerLink(tx, deps.key, { orgId, caseId, purpose: 'confirm_resolution' })
  return [
    `How did we do? Rate how we handled ${label(kase)} with one click:`,
    [5, 4, 3, 2, 1].map((n) => `${n} – ${ratingLabels[n]}: ${base}/csat?r=${n}&t=${rate.token}`).join('\n'),
    `Is everything as it should be? Confirm it is resolved and we will close the case: ${base}/confirm-resolution?t=${confirm.token}`,
  ].join('\n\n')
}

const signOff = /^(?:kind(?:est)? regards|warm(?:est)? regards|best regards|best wishes|regards|best|sincerely|yours sincerely|yours faithfully|yours truly|with thanks|many thanks|thank you|thanks|cordially)\b[,.!]?/i

/** The block goes before the sign-off ("Kind regards, …"), or at the end when there is none. */
export function insertBeforeSignOff(body: string, block: string): string {
  const paragraphs = body.trimEnd().split(/\n{2,}/)
  const last = paragraphs.at(-1) ?? ''
  if (paragraphs.length > 1 && signOff.test(last.trim())) {
    return [...paragraphs.slice(0, -1), block, last].join('\n\n')
  }
  return [...paragraphs, block].join('\n\n')
}

/** A resolution draft's body with fresh customer links (called in the transaction that saves it). */
export async function withCustomerLinks(tx: Tx, deps: LinkDeps, orgId: string, caseId: string, body: string): Promise<string> {
  return insertBeforeSignOff(body, await customerLinksBlock(tx, deps, orgId, caseId))
}

export const ratingFormSchema = z.object({
  rating: z.coerce.number({ error: 'Choose a rating from 1 to 5.' }).int().min(1, 'Choose a rating from 1 to 5.').max(5, 'Choose a rating from 1 to 5.'),
  comment: z.string().transform((s) => s.replace(/\r\n?/g, '\n').trim()).pipe(z.string().max(2000, 'Keep the comment under 2,000 characters.')).default(''),
})
export type RatingForm = z.infer<typeof ratingFormSchema>

export type CustomerActionResult = { ok: true; caseNumber: number } | { ok: false; reason: 'used' | 'not_resolved'; caseNumber: number }

const customerActor = (email: string | null) => ({ kind: 'customer' as const, id: email })

/** Records a rating through a CSAT link: the link is spent in the same transaction. */
export async function submitRating(tx: Tx, claims: CustomerLinkClaims, form: RatingForm): Promise<CustomerActionResult> {
  const kase = await lockCase(tx, claims.caseId)
  if (!(await consumeCustomerLink(tx, claims))) return { ok: false, reason: 'used', caseNumber: kase.number }
  await tx`
    insert into csat_responses (org_id, case_id, link_jti, rating, comment)
    values (${claims.orgId}, ${claims.caseId}, ${claims.jti}, ${form.rating}, ${form.comment})`
  await recordAudit(tx, claims.orgId, {
    actor: customerActor(kase.customerEmail),
    action: 'csat.submit',
    caseId: claims.caseId,
    details: { rating: form.rating, ...(form.comment ? { comment: true } : {}) },
  })
  return { ok: true, caseNumber: kase.number }
}

/**
 * The customer confirms the resolution: the case closes (lifecycle.confirmResolution audits it
 * as the customer). A case that was reopened meanwhile is not closed, and the link stays usable.
 */
export async function confirmByCustomer(tx: Tx, claims: CustomerLinkClaims): Promise<CustomerActionResult> {
  const kase = await lockCase(tx, claims.caseId)
  if (kase.status !== 'resolved') return { ok: false, reason: kase.status === 'closed' && kase.customerConfirmedAt ? 'used' : 'not_resolved', caseNumber: kase.number }
  if (!(await consumeCustomerLink(tx, claims))) return { ok: false, reason: 'used', caseNumber: kase.number }
  await confirmResolution(tx, claims.orgId, claims.caseId, customerActor(kase.customerEmail))
  return { ok: true, caseNumber: kase.number }
}

export type CaseRating = { rating: number; comment: string; createdAt: Date }

/** Every answer on the case, newest first (the newest is the case's CSAT). */
export async function listCaseRatings(db: Q, caseId: string): Promise<CaseRating[]> {
  return db<CaseRating[]>`
    select rating, comment, created_at as "createdAt" from csat_responses where case_id = ${caseId} order by created_at desc`
}
