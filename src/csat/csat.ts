import { z } from 'zod'
import { recordAudit } from '../audit/audit.ts'
import { lockCase } from '../cases/case-record.ts'
import { caseLabel } from '../cases/terms.ts'
import { confirmResolution } from '../cases/lifecycle.ts'
import type { DbOrTx, Tx } from '../db.ts'
import { AppError } from '../http/errors.ts'
import {
  consumeCustomerLink,
  findSendLinks,
  issueCustomerLink,
  shortCustomerToken,
  type CustomerLinkClaims,
  type CustomerLinkPurpose,
} from './links.ts'

// CSAT and the customer's "it's resolved" confirmation. Both links travel inside the resolution
// message, which is a draft like any other: it reaches the customer only once an approver has
// approved that exact text. The text holds a placeholder, not the links: they are minted when
// the approved reply is sent, into the copy handed to the provider, once per outbox row. So a
// teammate never sees a live link, and a reply that is held back never has any.

export const ratingLabels: Record<number, string> = { 5: 'Excellent', 4: 'Good', 3: 'Okay', 2: 'Poor', 1: 'Very poor' }

/** What the approver reads (and approves) where the customer will find their links. */
export const CUSTOMER_LINKS_PLACEHOLDER = '(Rating and confirmation links are added here when this reply is sent.)'

export type LinkDeps = { key: Uint8Array; publicUrl: string }

/** The rating and confirmation links worded for the customer. */
function customerLinksBlock(deps: LinkDeps, kase: { number: number }, tokens: { csat: string; confirm: string }): string {
  const base = deps.publicUrl.replace(/\/+$/, '')
  return [
    `How did we do? Rate how we handled ${caseLabel(kase.number)} (1 to 5): ${base}/csat?t=${tokens.csat}`,
    `Is everything as it should be? Confirm it is resolved and we will close the case: ${base}/confirm-resolution?t=${tokens.confirm}`,
  ].join('\n\n')
}

const signOff =
  /^(?:kind(?:est)? regards|warm(?:est)? regards|best regards|best wishes|regards|best|sincerely|yours sincerely|yours faithfully|yours truly|with thanks|many thanks|thank you|thanks|cordially)\b[,.!]?/i

/** The block goes before the sign-off ("Kind regards, …"), or at the end when there is none. */
export function insertBeforeSignOff(body: string, block: string): string {
  const paragraphs = body.trimEnd().split(/\n{2,}/)
  const last = paragraphs.at(-1) ?? ''
  if (paragraphs.length > 1 && signOff.test(last.trim())) {
    return [...paragraphs.slice(0, -1), block, last].join('\n\n')
  }
  return [...paragraphs, block].join('\n\n')
}

/** A resolution draft's body, with the placeholder where the links will go. */
export const withLinksPlaceholder = (body: string) => insertBeforeSignOff(body, CUSTOMER_LINKS_PLACEHOLDER)

/**
 * The text to hand the provider for one outbox row: its approved body with the placeholder
 * replaced by live links. The links are minted on the row's first attempt and re-signed from
 * the same stored rows on every retry (the signature is deterministic), so each attempt sends
 * byte-identical mail under the same idempotency key. A body without the placeholder is sent
 * as it is. Call it with the outbox row locked.
 */
export async function textWithCustomerLinks(
  tx: Tx,
  deps: LinkDeps,
  row: { orgId: string; caseId: string; outboxId: string; body: string },
): Promise<string> {
  if (!row.body.includes(CUSTOMER_LINKS_PLACEHOLDER)) return row.body
  const [kase] = await tx<{ number: number }[]>`select number from cases where id = ${row.caseId}`
  if (!kase) throw new AppError('NOT_FOUND', 'That case does not exist.')
  const links = await mintLinksOnce(tx, deps.key, row)
  return row.body.replaceAll(CUSTOMER_LINKS_PLACEHOLDER, customerLinksBlock(deps, kase, links))
}

async function mintLinksOnce(tx: Tx, key: Uint8Array, row: { orgId: string; caseId: string; outboxId: string }) {
  let stored = await findSendLinks(tx, row.outboxId)
  if (stored.length < 2) {
    for (const purpose of ['csat', 'confirm_resolution'] as const) {
      if (!stored.some((l) => l.purpose === purpose))
        await issueCustomerLink(tx, key, { orgId: row.orgId, caseId: row.caseId, purpose, outboxId: row.outboxId })
    }
    stored = await findSendLinks(tx, row.outboxId)
  }
  // Short tokens (links.ts): one link per action, 68 characters, the same on every retry.
  const token = async (purpose: CustomerLinkPurpose) => {
    const link = stored.find((l) => l.purpose === purpose)!
    return shortCustomerToken(key, { jti: link.jti, orgId: row.orgId, purpose })
  }
  return { csat: await token('csat'), confirm: await token('confirm_resolution') }
}

export const ratingFormSchema = z.object({
  rating: z.coerce
    .number({ error: 'Choose a rating from 1 to 5.' })
    .int()
    .min(1, 'Choose a rating from 1 to 5.')
    .max(5, 'Choose a rating from 1 to 5.'),
  comment: z
    .string()
    .transform((s) => s.replace(/\r\n?/g, '\n').trim())
    .pipe(z.string().max(2000, 'Keep the comment under 2,000 characters.'))
    .default(''),
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
  if (kase.status !== 'resolved')
    return { ok: false, reason: kase.status === 'closed' && kase.customerConfirmedAt ? 'used' : 'not_resolved', caseNumber: kase.number }
  if (!(await consumeCustomerLink(tx, claims))) return { ok: false, reason: 'used', caseNumber: kase.number }
  await confirmResolution(tx, claims.orgId, claims.caseId, customerActor(kase.customerEmail))
  return { ok: true, caseNumber: kase.number }
}

export type CaseRating = { rating: number; comment: string; createdAt: Date }

/** Every answer on the case, newest first (the newest is the case's CSAT). */
export async function listCaseRatings(db: DbOrTx, caseId: string): Promise<CaseRating[]> {
  return db<CaseRating[]>`
    select rating, comment, created_at as "createdAt" from csat_responses where case_id = ${caseId} order by created_at desc`
}
