import * as oidc from 'openid-client'
import { recordAudit, userActor } from '../audit/audit.ts'
import { withOrg } from '../db.ts'
import type { AppDeps } from '../http/app-env.ts'
import { findOrgBySlug } from '../orgs/queries.ts'
import { openSecret } from '../secrets/sealed.ts'
import { randomToken, sha256Hex } from './crypto.ts'
import { isInsideCompany } from './oidc-policy.ts'
import { consumeSsoSignIn, createSsoUser, findSsoSettings, findUserByEmail, insertSsoSignIn, type SsoSettings } from './oidc-queries.ts'
import { recordSessionOrigin } from './session-admin.ts'
import { createSession } from './sessions.ts'

// OpenID Connect sign-in per organization: authorization code flow with PKCE, state and nonce
// (openid-client checks the ID token's signature against the provider's JWKS, its issuer,
// audience, expiry and nonce). The browser that starts a sign-in holds a random token in the
// desk_sso cookie; the state, nonce and verifier stay in sso_sign_ins under its hash, so a
// callback works once, only in that browser, within 10 minutes.

type Deps = Pick<AppDeps, 'db' | 'env'>

export const SSO_COOKIE = 'desk_sso'
export const SSO_ATTEMPT_SECONDS = 10 * 60
const COOKIE_SHAPE = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/

export const ssoCallbackUrl = (publicUrl: string) => `${publicUrl.replace(/\/+$/, '')}/sign-in/sso/callback`

/** https, or http to this machine (a local stand-in of the provider): never a plain-text hop elsewhere. */
export function isIssuerUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
  } catch {
    return false
  }
}

/** The provider's configuration, from its discovery document (fetched per sign-in: a changed key or endpoint applies at once). */
async function discoverProvider(deps: Deps, orgId: string, s: SsoSettings): Promise<oidc.Configuration> {
  const secret = s.clientSecretSealed ? await openSecret(deps.db, deps.env, orgId, s.clientSecretSealed) : null
  const issuer = new URL(s.issuerUrl!)
  return oidc.discovery(issuer, s.clientId!, undefined, secret ? oidc.ClientSecretPost(secret) : oidc.None(), {
    // Non-repudiation: the ID token's signature is checked against the provider's JWKS too, not
    // only trusted for having come over TLS from the token endpoint.
    execute: [oidc.enableNonRepudiationChecks, ...(issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [])],
    timeout: 10,
  })
}

export type StartResult =
  { ok: true; url: string; cookie: string } | { ok: false; reason: 'unknown_org' | 'not_configured' | 'provider_failed' }

/** Where to send the browser, and the cookie that binds the callback to it. */
export async function startSsoSignIn(deps: Deps, orgSlug: string): Promise<StartResult> {
  const org = await findOrgBySlug(deps.db, orgSlug)
  if (!org) return { ok: false, reason: 'unknown_org' }
  const settings = await withOrg(deps.db, org.id, (tx) => findSsoSettings(tx))
  if (!settings.enabled) return { ok: false, reason: 'not_configured' }
  let config: oidc.Configuration
  try {
    config = await discoverProvider(deps, org.id, settings)
  } catch (error) {
    console.warn(`sso: discovery for ${org.slug} failed: ${(error as Error).message}`)
    return { ok: false, reason: 'provider_failed' }
  }
  const checks = {
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
    codeVerifier: oidc.randomPKCECodeVerifier(),
  }
  const token = randomToken(32)
  await withOrg(deps.db, org.id, async (tx) =>
    insertSsoSignIn(tx, {
      ...checks,
      orgId: org.id,
      tokenHash: await sha256Hex(token),
      expiresAt: new Date(Date.now() + SSO_ATTEMPT_SECONDS * 1000),
    }),
  )
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: ssoCallbackUrl(deps.env.PUBLIC_URL),
    scope: 'openid email profile',
    state: checks.state,
    nonce: checks.nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
    code_challenge_method: 'S256',
  })
  return { ok: true, url: url.href, cookie: `${org.id}.${token}` }
}

export type FinishFailure = 'expired' | 'refused' | 'unverified_email' | 'domain_not_allowed' | 'no_access' | 'not_configured'
export type FinishResult =
  | {
      ok: true
      session: { token: string; expiresAt: Date; sessionId: string }
      user: { id: string; orgId: string; email: string }
    }
  | { ok: false; reason: FinishFailure }

type Context = { userAgent?: string | null; network?: string | null }

/**
 * The provider's answer (the callback's query) for the sign-in this browser started: the attempt
 * is used up first, then the code is exchanged and the ID token checked, then the user is found
 * or created as an agent and the session starts. No transaction is held open across the calls
 * to the provider.
 */
export async function finishSsoSignIn(deps: Deps, cookie: string | undefined, query: string, context: Context): Promise<FinishResult> {
  const parsed = COOKIE_SHAPE.exec(cookie ?? '')
  if (!parsed) return { ok: false, reason: 'expired' }
  const [, orgId, token] = parsed as unknown as [string, string, string]
  const tokenHash = await sha256Hex(token)
  const attempt = await withOrg(deps.db, orgId, async (tx) => {
    const checks = await consumeSsoSignIn(tx, tokenHash)
    return checks && { checks, settings: await findSsoSettings(tx) }
  })
  if (!attempt) return { ok: false, reason: 'expired' }
  if (!attempt.settings.enabled) return { ok: false, reason: 'not_configured' }
  const identity = await verifiedIdentity(deps, orgId, attempt.settings, attempt.checks, query)
  if (!identity.ok) return identity
  if (!isInsideCompany(attempt.settings, identity.email)) return { ok: false, reason: 'domain_not_allowed' }
  return startSsoSession(deps, orgId, attempt.settings.issuerUrl!, identity, context)
}

type Identity = { ok: true; email: string; name: string } | { ok: false; reason: 'refused' | 'unverified_email' }

async function verifiedIdentity(
  deps: Deps,
  orgId: string,
  settings: SsoSettings,
  checks: { state: string; nonce: string; codeVerifier: string },
  query: string,
): Promise<Identity> {
  try {
    const config = await discoverProvider(deps, orgId, settings)
    const callback = new URL(`${ssoCallbackUrl(deps.env.PUBLIC_URL)}?${query}`)
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    })
    const claims = tokens.claims()!
    const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : ''
    // The address is the account: only one the provider vouches for will do (Entra ID says so
    // with the optional claim xms_edov, "email domain owner verified", instead of email_verified).
    if (!email || (claims.email_verified !== true && claims.xms_edov !== true)) return { ok: false, reason: 'unverified_email' }
    const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim() : email.split('@')[0]!
    return { ok: true, email, name }
  } catch (error) {
    console.warn(`sso: sign-in refused: ${(error as Error).message}`)
    return { ok: false, reason: 'refused' }
  }
}

async function startSsoSession(
  deps: Deps,
  orgId: string,
  issuer: string,
  identity: { email: string; name: string },
  context: Context,
): Promise<FinishResult> {
  return withOrg(deps.db, orgId, async (tx): Promise<FinishResult> => {
    let user = await findUserByEmail(tx, identity.email)
    if (!user) {
      await createSsoUser(tx, {
        email: identity.email,
        name: identity.name,
        issuer,
      })
      user = await findUserByEmail(tx, identity.email)
    }
    if (!user || user.disabledAt) return { ok: false, reason: 'no_access' }
    const session = await createSession(tx, {
      orgId,
      userId: user.id,
      userAgent: context.userAgent,
    })
    await recordSessionOrigin(tx, session.sessionId, {
      network: context.network ?? null,
      method: 'sso',
    })
    await recordAudit(tx, orgId, {
      actor: userActor(user),
      action: 'user.sign_in',
      details: { sessionId: session.sessionId, method: 'sso' },
    })
    return {
      ok: true,
      session,
      user: { id: user.id, orgId, email: user.email },
    }
  })
}
