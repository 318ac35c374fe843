import type { Db, DbOrTx, Tx } from '../db.ts'
import type { UserRole } from '../orgs/queries.ts'

// API tokens (sql/00031). Listing runs on a withOrg handle (RLS: the admin's org only); creating
// and revoking go through functions that check the actor is an active admin; the lookup by hash
// is the one function that crosses orgs, and it is all the app role can ask of other orgs' tokens.

export type ApiScope = 'read' | 'write'

export type ApiTokenRow = {
  id: string
  name: string
  scope: ApiScope
  prefix: string
  last4: string
  requestsPerMinute: number
  createdBy: string
  creatorName: string | null
  createdAt: Date
  lastUsedAt: Date | null
  revokedAt: Date | null
}

export async function listApiTokens(db: DbOrTx): Promise<ApiTokenRow[]> {
  return db<ApiTokenRow[]>`
    select t.id, t.name, t.scope, t.prefix, t.last4, t.requests_per_minute as "requestsPerMinute",
           t.created_by as "createdBy", coalesce(nullif(u.name, ''), u.email) as "creatorName",
           t.created_at as "createdAt", t.last_used_at as "lastUsedAt", t.revoked_at as "revokedAt"
    from api_tokens t left join app_users u on u.id = t.created_by
    order by t.revoked_at nulls first, t.created_at desc`
}

export type NewApiTokenRow = { name: string; scope: ApiScope; hash: string; prefix: string; last4: string; requestsPerMinute: number }

/** The new token's id; the function refuses (42501) an actor who is not an active admin of the org. */
export async function insertApiTokenAsAdmin(tx: Tx, adminId: string, t: NewApiTokenRow): Promise<string> {
  const [row] = await tx<{ id: string }[]>`
    select create_api_token(${adminId}, ${t.name}, ${t.scope}, ${t.hash}, ${t.prefix}, ${t.last4}, ${t.requestsPerMinute}) as id`
  return row!.id
}

/** The token revoked, or null when it was revoked already or is not this org's. */
export async function revokeApiTokenAsAdmin(tx: Tx, adminId: string, tokenId: string): Promise<{ prefix: string; name: string } | null> {
  const [row] = await tx<{ revoked: boolean }[]>`select revoke_api_token(${adminId}, ${tokenId}) as revoked`
  if (!row!.revoked) return null
  const [token]: [{ prefix: string; name: string }?] = await tx`select prefix, name from api_tokens where id = ${tokenId}`
  return token ?? null
}

export type TokenUse = {
  tokenId: string
  orgId: string
  scope: ApiScope
  prefix: string
  requestsPerMinute: number
  userId: string
  userRole: UserRole
  hits: number
  retryAfter: number
}

/**
 * The live token with this hash, its request counted, or undefined. As desk_app with no org set:
 * the function is the only thing that role can reach here (RLS shows it no token rows).
 */
export async function useApiToken(db: Db, hash: string): Promise<TokenUse | undefined> {
  return (await db.begin(async (tx) => {
    await tx`select set_config('role', 'desk_app', true)`
    const [row]: [TokenUse?] = await tx`
      select token_id as "tokenId", org_id as "orgId", scope, prefix, requests_per_minute as "requestsPerMinute",
             user_id as "userId", user_role as "userRole", hits, retry_after as "retryAfter"
      from use_api_token(${hash})`
    return row
  })) as TokenUse | undefined
}
