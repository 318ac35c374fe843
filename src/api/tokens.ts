import { z } from 'zod'
import { recordAudit, userActor, type ActorVia } from '../audit/audit.ts'
import type { SessionUser } from '../auth/sessions.ts'
import { randomToken, sha256Hex } from '../auth/crypto.ts'
import { withOrg, type Db, type Tx } from '../db.ts'
import { AppError, notFound } from '../http/errors.ts'
import type { UserRole } from '../orgs/queries.ts'
import { insertApiTokenAsAdmin, revokeApiTokenAsAdmin, useApiToken, type ApiScope } from './queries.ts'

// Bearer tokens for /api/v1: `desk_` and 43 random URL-safe characters (256 bits), so a leaked
// one is recognisable in logs and by secret scanners. Shown once, at creation; the database keeps
// its SHA-256 (looked up by that hash: the presented token's bytes never meet a comparison), its
// first 11 characters and its last 4.

const TOKEN_PREFIX = 'desk_'
const TOKEN_SHAPE = /^desk_[A-Za-z0-9_-]{43}$/

export const apiScopes = ['read', 'write'] as const satisfies readonly ApiScope[]

export const newApiTokenSchema = z.object({
  name: z.string().trim().min(1, 'Name the token (what uses it).').max(100, 'Keep the name under 100 characters.'),
  scope: z.enum(apiScopes, 'Choose read or write.'),
  requestsPerMinute: z.coerce
    .number('Give the requests per minute as a number.')
    .int('Give the requests per minute as a whole number.')
    .min(1, 'At least 1 request per minute.')
    .max(6000, 'At most 6,000 requests per minute.'),
})
export type NewApiToken = z.infer<typeof newApiTokenSchema>

/** Who is calling the API: the token's creator, acting through it (every audit event says so). */
export type ApiCaller = { id: string; role: UserRole; orgId: string; scope: ApiScope; tokenId: string; via: ActorVia }

/** The token's minute so far: what the RateLimit-* headers say. */
export type RateUsage = { limit: number; remaining: number; resetSeconds: number }

export type Authentication =
  | { ok: true; caller: ApiCaller; usage: RateUsage }
  | { ok: false; reason: 'missing' | 'invalid' }
  | { ok: false; reason: 'rate_limited'; retryAfter: number; limit: number }

/** Runs an admin's change; the database refusing the actor (no longer an admin) is a 403. */
async function asAdmin<T>(db: Db, admin: SessionUser, fn: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await withOrg(db, admin.orgId, fn)
  } catch (error) {
    if ((error as { code?: string }).code === '42501') throw new AppError('FORBIDDEN', 'Only an admin can do that.')
    throw error
  }
}

/** Creates a token and returns it in the clear, the only time it exists outside the caller's hands. */
export async function issueApiToken(db: Db, admin: SessionUser, input: NewApiToken): Promise<{ id: string; token: string }> {
  const token = `${TOKEN_PREFIX}${randomToken(32)}`
  const row = { ...input, hash: await sha256Hex(token), prefix: token.slice(0, 11), last4: token.slice(-4) }
  const id = await asAdmin(db, admin, async (tx) => {
    const id = await insertApiTokenAsAdmin(tx, admin.id, row)
    await recordAudit(tx, admin.orgId, {
      actor: userActor(admin),
      action: 'api_token.create',
      details: { tokenId: id, name: input.name, scope: input.scope, prefix: row.prefix, requestsPerMinute: input.requestsPerMinute },
    })
    return id
  })
  return { id, token }
}

/** Revokes a token at once, on every process: the next request with it is a 401. */
export async function revokeApiToken(db: Db, admin: SessionUser, tokenId: string): Promise<void> {
  await asAdmin(db, admin, async (tx) => {
    const revoked = await revokeApiTokenAsAdmin(tx, admin.id, tokenId)
    if (!revoked) throw notFound('That live token')
    await recordAudit(tx, admin.orgId, {
      actor: userActor(admin),
      action: 'api_token.revoke',
      details: { tokenId, name: revoked.name, prefix: revoked.prefix },
    })
  })
}

/**
 * The caller an `Authorization: Bearer desk_…` header names. A header of the wrong shape is
 * refused before any query; a well-formed one costs one hash and one indexed lookup whether or
 * not it is known, so timing tells nothing about which tokens exist.
 */
export async function authenticateApiToken(db: Db, authorization: string | undefined): Promise<Authentication> {
  if (!authorization) return { ok: false, reason: 'missing' }
  const match = /^Bearer +(\S+)\s*$/i.exec(authorization)
  if (!match || !TOKEN_SHAPE.test(match[1]!)) return { ok: false, reason: 'invalid' }
  const use = await useApiToken(db, await sha256Hex(match[1]!))
  if (!use) return { ok: false, reason: 'invalid' }
  if (use.hits > use.requestsPerMinute)
    return { ok: false, reason: 'rate_limited', retryAfter: use.retryAfter, limit: use.requestsPerMinute }
  return {
    ok: true,
    caller: {
      id: use.userId,
      role: use.userRole,
      orgId: use.orgId,
      scope: use.scope,
      tokenId: use.tokenId,
      via: { via: 'api', token: use.prefix },
    },
    usage: { limit: use.requestsPerMinute, remaining: use.requestsPerMinute - use.hits, resetSeconds: use.retryAfter },
  }
}
