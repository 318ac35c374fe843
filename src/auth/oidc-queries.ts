import type { Db, Tx } from '../db.ts'

// Org-scoped: every function here runs on a withOrg transaction handle, so RLS applies, except
// findSsoOrgsByDomain, which runs on the owner connection like src/owner-queries.ts.

export type SsoSettings = {
  enabled: boolean
  issuerUrl: string | null
  clientId: string | null
  clientSecretSealed: string | null
  allowedDomains: string[]
  requireSso: boolean
  breakGlassUserId: string | null
}

export const noSsoSettings: SsoSettings = {
  enabled: false,
  issuerUrl: null,
  clientId: null,
  clientSecretSealed: null,
  allowedDomains: [],
  requireSso: false,
  breakGlassUserId: null,
}

export async function findSsoSettings(tx: Tx, options: { lock?: boolean } = {}): Promise<SsoSettings> {
  const [row]: [SsoSettings?] = await tx`
    select enabled, issuer_url as "issuerUrl", client_id as "clientId", client_secret_sealed as "clientSecretSealed",
           allowed_domains as "allowedDomains", require_sso as "requireSso", break_glass_user_id as "breakGlassUserId"
    from sso_settings ${options.lock ? tx`for update` : tx``}`
  return row ?? noSsoSettings
}

export async function upsertSsoSettings(tx: Tx, orgId: string, s: SsoSettings): Promise<void> {
  await tx`
    insert into sso_settings (org_id, enabled, issuer_url, client_id, client_secret_sealed, allowed_domains, require_sso, break_glass_user_id)
    values (${orgId}, ${s.enabled}, ${s.issuerUrl}, ${s.clientId}, ${s.clientSecretSealed}, ${s.allowedDomains}, ${s.requireSso}, ${s.breakGlassUserId})
    on conflict (org_id) do update set
      enabled = excluded.enabled, issuer_url = excluded.issuer_url, client_id = excluded.client_id,
      client_secret_sealed = excluded.client_secret_sealed, allowed_domains = excluded.allowed_domains,
      require_sso = excluded.require_sso, break_glass_user_id = excluded.break_glass_user_id, updated_at = now()`
}

export async function findIdleMinutes(tx: Tx, orgId: string): Promise<number | null> {
  const [row] = await tx<{ minutes: number | null }[]>`select session_idle_minutes as minutes from orgs where id = ${orgId}`
  return row?.minutes ?? null
}

export async function updateIdleMinutes(tx: Tx, orgId: string, minutes: number | null): Promise<void> {
  await tx`update orgs set session_idle_minutes = ${minutes} where id = ${orgId}`
}

export type SsoSignInRow = {
  state: string
  nonce: string
  codeVerifier: string
}

export async function insertSsoSignIn(tx: Tx, row: SsoSignInRow & { orgId: string; tokenHash: string; expiresAt: Date }): Promise<void> {
  // Abandoned attempts are only clutter; they go when the next one starts.
  await tx`delete from sso_sign_ins where expires_at < now() - interval '1 day'`
  await tx`
    insert into sso_sign_ins (token_hash, org_id, state, nonce, code_verifier, expires_at)
    values (${row.tokenHash}, ${row.orgId}, ${row.state}, ${row.nonce}, ${row.codeVerifier}, ${row.expiresAt})`
}

/** Uses the attempt up and returns its checks; undefined when unknown, used or expired. */
export async function consumeSsoSignIn(tx: Tx, tokenHash: string): Promise<SsoSignInRow | undefined> {
  const [row]: [SsoSignInRow?] = await tx`
    update sso_sign_ins set consumed_at = now()
    where token_hash = ${tokenHash} and consumed_at is null and expires_at > now()
    returning state, nonce, code_verifier as "codeVerifier"`
  return row
}

export type SsoUser = {
  id: string
  email: string
  role: string
  disabledAt: Date | null
}

export async function findUserByEmail(tx: Tx, email: string): Promise<SsoUser | undefined> {
  const [row]: [SsoUser?] = await tx`
    select id, email, role, disabled_at as "disabledAt" from app_users where email = ${email.toLowerCase()}`
  return row
}

/** The just-in-time agent (sql/00038 create_sso_user checks the domain and audits); null when the address was a user already. */
export async function createSsoUser(tx: Tx, u: { email: string; name: string; issuer: string }): Promise<string | null> {
  const [row] = await tx<{ id: string | null }[]>`select create_sso_user(${u.email}, ${u.name}, ${u.issuer}) as id`
  return row?.id ?? null
}

export type AdminChoice = { id: string; email: string; name: string }

export async function listEnabledAdmins(tx: Tx): Promise<AdminChoice[]> {
  return tx<AdminChoice[]>`select id, email, name from app_users where role = 'admin' and disabled_at is null order by email`
}

/** Organizations whose single sign-on admits an email domain (owner connection: the SSO form asks for an address, not an org). */
export async function findSsoOrgsByDomain(db: Db, domain: string): Promise<{ slug: string; name: string }[]> {
  return db<{ slug: string; name: string }[]>`
    select o.slug, o.name from sso_settings s join orgs o on o.id = s.org_id
    where s.enabled and ${domain} = any(s.allowed_domains)
    order by o.slug
    limit 20`
}
