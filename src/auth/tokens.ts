import { errors, jwtVerify, SignJWT } from 'jose'
import { z } from 'zod'
import type { Db, Tx } from '../db.ts'
import { readOrCreateSecret } from '../owner-queries.ts'
import { randomToken } from './crypto.ts'
import { consumeLinkTokenRow, insertLinkToken } from './queries.ts'

// Signed, expiring, single-use links bound to a user, an org and a purpose (README promise 7).
// The signature makes a link unforgeable; the link_tokens row (jti) makes it single-use.

export type LinkPurpose = 'sign_in' | (string & {})
export type LinkClaims = { jti: string; userId: string; orgId: string; purpose: string; expiresAt: Date; bind: Record<string, string> }
export type VerifyResult = { ok: true; claims: LinkClaims } | { ok: false; reason: 'expired' | 'invalid' | 'wrong_purpose' }

const encoder = new TextEncoder()
const generatedKeys = new WeakMap<Db, Promise<Uint8Array>>()

/**
 * LINK_SECRET when configured; else a secret generated once and kept in app_secrets, so every
 * process (server, CLI, other instances) signs and verifies with the same key.
 */
export function linkSigningKey(db: Db, configured: string | undefined): Promise<Uint8Array> {
  if (configured) return Promise.resolve(encoder.encode(configured))
  let key = generatedKeys.get(db)
  if (!key) {
    key = readOrCreateSecret(db, 'link_signing', randomToken(48)).then((value) => encoder.encode(value))
    key.catch(() => generatedKeys.delete(db)) // a database hiccup must not poison the cache
    generatedKeys.set(db, key)
  }
  return key
}

/** Records the jti and signs the link. Runs in the org's transaction (the row is RLS-scoped). */
export async function issueLinkToken(
  tx: Tx,
  key: Uint8Array,
  link: { orgId: string; userId: string; purpose: LinkPurpose; ttlSeconds: number; now?: Date; bind?: Record<string, string> },
): Promise<{ token: string; jti: string; expiresAt: Date }> {
  const jti = randomToken(18)
  const now = link.now ?? new Date()
  const exp = Math.floor(now.getTime() / 1000) + link.ttlSeconds
  const expiresAt = new Date(exp * 1000)
  await insertLinkToken(tx, { jti, orgId: link.orgId, userId: link.userId, purpose: link.purpose, expiresAt })
  // `bind` ties the link to what it acts on (an approval link: the case, draft version and hash).
  const token = await new SignJWT({ org: link.orgId, purpose: link.purpose, ...(link.bind ? { bind: link.bind } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(link.userId)
    .setJti(jti)
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .setExpirationTime(exp)
    .sign(key)
  return { token, jti, expiresAt }
}

const claimsSchema = z.object({
  sub: z.uuid(),
  org: z.uuid(),
  purpose: z.string().min(1),
  jti: z.string().min(16),
  exp: z.number(),
  bind: z.record(z.string(), z.string()).optional(),
})

/** Checks signature, expiry and purpose. Pure: it reads and writes nothing (GETs may call it). */
export async function verifyLinkToken(key: Uint8Array, token: string, purpose: LinkPurpose): Promise<VerifyResult> {
  try {
    // The signature is checked before the claims, so only an authentic link can report "expired".
    const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], requiredClaims: ['sub', 'jti', 'exp'] })
    const claims = claimsSchema.safeParse(payload)
    if (!claims.success) return { ok: false, reason: 'invalid' }
    if (claims.data.purpose !== purpose) return { ok: false, reason: 'wrong_purpose' }
    const { sub, org, jti, exp, bind } = claims.data
    return { ok: true, claims: { jti, userId: sub, orgId: org, purpose, expiresAt: new Date(exp * 1000), bind: bind ?? {} } }
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired' }
    return { ok: false, reason: 'invalid' }
  }
}

/**
 * Uses the link up. Call it in the same transaction as the action the link authorises: if the
 * action rolls back, the link stays usable; if two requests race, exactly one gets true.
 */
export function consumeLinkToken(tx: Tx, claims: LinkClaims): Promise<boolean> {
  return consumeLinkTokenRow(tx, { jti: claims.jti, userId: claims.userId, purpose: claims.purpose })
}
