import { issueApiToken, type NewApiToken } from '../../src/api/tokens.ts'
import type { SessionUser } from '../../src/auth/sessions.ts'
import type { Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { seedOrg, seedUser } from '../support/db.ts'

export type ApiOrg = { org: Org; admin: SessionUser }

/** An org with an admin, who creates the org's tokens. */
export async function seedApiOrg(db: Db): Promise<ApiOrg> {
  const org = await seedOrg(db)
  const u = await seedUser(db, org.id, 'admin')
  return {
    org,
    admin: { id: u.id, orgId: org.id, email: u.email, name: 'admin user', role: 'admin', orgName: org.name, orgSlug: org.slug },
  }
}

/** A token made the way the admin page makes it, in the clear. */
export async function seedToken(db: Db, admin: SessionUser, token: Partial<NewApiToken> = {}): Promise<string> {
  const made = await issueApiToken(db, admin, { name: 'test script', scope: 'read', requestsPerMinute: 1000, ...token })
  return made.token
}

/** Request options for /api/v1 with this token (and a JSON body when given). */
export function bearer(token: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): RequestInit {
  return {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }
}
