import { errors, jwtVerify, SignJWT } from 'jose'
import { z } from 'zod'
import { randomToken } from '../auth/crypto.ts'
import type { DbOrTx, Tx } from '../db.ts'

// Links for the customer (rate our handling, confirm it is resolved). Same family as the team's
// links (jose HS256 with the same key, a stored jti, single use, expiry), but a customer is not
// a user: the token is bound to an org, a case and a purpose, and its audience is 'customer', so
// it can never pass for a sign-in or approval link (those check their purpose and their user).

export type CustomerLinkPurpose = 'csat' | 'confirm_resolution'
export type CustomerLinkClaims = { jti: string; orgId: string; caseId: string; purpose: CustomerLinkPurpose; expiresAt: Date }
export type CustomerLinkCheck = { ok: true; claims: CustomerLinkClaims } | { ok: false; reason: 'expired' | 'invalid' }

/** Long enough for a customer to answer after a holiday; the link does one harmless thing. */
export const CUSTOMER_LINK_DAYS = 30

const AUDIENCE = 'customer'

/** Stores a link (its jti, bound to the case and, when minted for a send, to that outbox row) and signs it. */
export async function issueCustomerLink(
  tx: Tx,
  key: Uint8Array,
  link: { orgId: string; caseId: string; purpose: CustomerLinkPurpose; outboxId?: string; ttlSeconds?: number; now?: Date },
): Promise<{ token: string; jti: string; expiresAt: Date }> {
  const jti = randomToken(18)
  const now = link.now ?? new Date()
  const exp = Math.floor(now.getTime() / 1000) + (link.ttlSeconds ?? CUSTOMER_LINK_DAYS * 86_400)
  const expiresAt = new Date(exp * 1000)
  await tx`
    insert into customer_links (jti, org_id, case_id, purpose, expires_at, outbox_id)
    values (${jti}, ${link.orgId}, ${link.caseId}, ${link.purpose}, ${expiresAt}, ${link.outboxId ?? null})`
  return {
    token: await signCustomerLink(key, { jti, orgId: link.orgId, caseId: link.caseId, purpose: link.purpose, expiresAt }),
    jti,
    expiresAt,
  }
}

/**
 * The token for a stored link. HS256 over the same claims gives the same token every time, so
 * a retried send re-signs instead of keeping tokens anywhere. Kept short (the rating link
 * appears five times in a plain-text mail): the case is the subject, and no typ header or iat,
 * which nothing here reads.
 */
export function signCustomerLink(key: Uint8Array, link: CustomerLinkClaims): Promise<string> {
  return new SignJWT({ org: link.orgId, purpose: link.purpose })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(link.caseId)
    .setAudience(AUDIENCE)
    .setJti(link.jti)
    .setExpirationTime(Math.floor(link.expiresAt.getTime() / 1000))
    .sign(key)
}

/** The links minted for one outbox row (at most one per purpose). */
export async function findSendLinks(
  db: DbOrTx,
  outboxId: string,
): Promise<{ jti: string; purpose: CustomerLinkPurpose; expiresAt: Date }[]> {
  return db<{ jti: string; purpose: CustomerLinkPurpose; expiresAt: Date }[]>`
    select jti, purpose, expires_at as "expiresAt" from customer_links where outbox_id = ${outboxId}`
}

// ---- Short tokens: what the resolution mail carries ----
//
// The organization (16 bytes), the stored link's jti (18 random bytes) and an HMAC-SHA256 of
// both and the purpose (first 16 bytes), base64url: 68 characters instead of a JWT's ~250. The
// case and the expiry are read from the stored row the jti names (under the org's RLS), so
// they need not travel. A link in mail already sent (a JWT) still works.

const SHORT_TOKEN = /^[A-Za-z0-9_-]{68}$/

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
function fromB64url(text: string): Uint8Array {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4))
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0))
}
const uuidBytes = (uuid: string) => Uint8Array.from(uuid.replace(/-/g, '').match(/../g)!, (h) => parseInt(h, 16))
function uuidOf(bytes: Uint8Array): string {
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

async function shortMac(key: Uint8Array, orgId: string, jti: string, purpose: CustomerLinkPurpose): Promise<string> {
  const hmac = await crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const signed = await crypto.subtle.sign('HMAC', hmac, new TextEncoder().encode(`customer-link|${orgId}|${jti}|${purpose}`))
  return b64url(new Uint8Array(signed).slice(0, 16))
}

/** The short token of a stored link (the jti must be randomToken(18): 24 characters). */
export async function shortCustomerToken(
  key: Uint8Array,
  link: { orgId: string; jti: string; purpose: CustomerLinkPurpose },
): Promise<string> {
  if (!/^[A-Za-z0-9_-]{24}$/.test(link.jti)) throw new Error('a short customer token needs a 24-character jti')
  return b64url(uuidBytes(link.orgId)) + link.jti + (await shortMac(key, link.orgId, link.jti, link.purpose))
}

/** A short token's org and jti when its MAC holds for this purpose; the case comes from the stored row. */
async function verifyShortToken(key: Uint8Array, token: string, purpose: CustomerLinkPurpose): Promise<CustomerLinkCheck> {
  const orgId = uuidOf(fromB64url(token.slice(0, 22)))
  // One spelling per token: base64url's last character has spare bits, which must be zero.
  if (b64url(uuidBytes(orgId)) !== token.slice(0, 22)) return { ok: false, reason: 'invalid' }
  const jti = token.slice(22, 46)
  const expected = await shortMac(key, orgId, jti, purpose)
  const given = token.slice(46)
  let diff = 0
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ given.charCodeAt(i)
  if (diff !== 0) return { ok: false, reason: 'invalid' }
  return { ok: true, claims: { jti, orgId, caseId: '', purpose, expiresAt: new Date(8.64e15) } }
}

const claimsSchema = z.object({
  sub: z.uuid(),
  org: z.uuid(),
  purpose: z.enum(['csat', 'confirm_resolution']),
  jti: z.string().min(16),
  exp: z.number(),
})

/** Signature, audience, expiry and purpose. Pure: reads and writes nothing, so GETs may call it. */
export async function verifyCustomerLink(key: Uint8Array, token: string, purpose: CustomerLinkPurpose): Promise<CustomerLinkCheck> {
  if (SHORT_TOKEN.test(token)) return verifyShortToken(key, token, purpose)
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], audience: AUDIENCE, requiredClaims: ['sub', 'jti', 'exp'] })
    const claims = claimsSchema.safeParse(payload)
    if (!claims.success || claims.data.purpose !== purpose) return { ok: false, reason: 'invalid' }
    const { jti, org, sub: caseId, exp } = claims.data
    return { ok: true, claims: { jti, orgId: org, caseId, purpose, expiresAt: new Date(exp * 1000) } }
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired' }
    return { ok: false, reason: 'invalid' }
  }
}

export type StoredCustomerLink = { caseId: string; purpose: string; expiresAt: Date; consumedAt: Date | null }

/**
 * The stored row, when it matches every signed binding (org by RLS, purpose, and the case when
 * the token names one: a short token's case is the row's).
 */
export async function findCustomerLink(db: DbOrTx, claims: CustomerLinkClaims): Promise<StoredCustomerLink | undefined> {
  const [row]: [StoredCustomerLink?] = await db`
    select case_id as "caseId", purpose, expires_at as "expiresAt", consumed_at as "consumedAt"
    from customer_links where jti = ${claims.jti} and purpose = ${claims.purpose}
      ${claims.caseId ? db`and case_id = ${claims.caseId}` : db``}`
  return row
}

/**
 * Uses the link up, in the transaction of the action it authorises: if the action rolls back
 * the link stays usable; of two racing requests exactly one gets true.
 */
export async function consumeCustomerLink(tx: Tx, claims: CustomerLinkClaims): Promise<boolean> {
  const rows = await tx`
    update customer_links set consumed_at = now()
    where jti = ${claims.jti} and case_id = ${claims.caseId} and purpose = ${claims.purpose}
      and consumed_at is null and expires_at > now()
    returning jti`
  return rows.length === 1
}

/** What a customer's page shows of the case: its number and subject, and whose desk it is. */
export type CustomerCase = { number: number; subject: string; orgName: string }

export async function findCustomerCase(db: DbOrTx, caseId: string): Promise<CustomerCase | undefined> {
  const [row]: [CustomerCase?] = await db`
    select c.number, c.subject, o.name as "orgName" from cases c join orgs o on o.id = c.org_id where c.id = ${caseId}`
  return row
}
