import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { finishSsoSignIn, startSsoSignIn, type FinishFailure, type FinishResult } from '../../src/auth/oidc.ts'
import { upsertSsoSettings } from '../../src/auth/oidc-queries.ts'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { sealSecret } from '../../src/secrets/sealed.ts'
import { testEnv } from '../support/app.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { startOidcProvider, type Identity } from '../support/oidc-provider.ts'

// OpenID Connect sign-in against a local provider stand-in: the code flow with PKCE, state and
// nonce, and every way its answer can be wrong or replayed.

const client = {
  clientId: 'desk-client-id',
  clientSecret: 'stand-in-client-secret-0123456789',
}
let db: Db
let provider: Awaited<ReturnType<typeof startOidcProvider>>
let org: Org
let domain: string

export async function configureSso(
  db: Db,
  org: Org,
  issuer: string,
  domains: string[],
  extra: { requireSso?: boolean; breakGlassUserId?: string } = {},
) {
  const sealed = await sealSecret(db, testEnv(), org.id, client.clientSecret)
  await withOrg(db, org.id, (tx) =>
    upsertSsoSettings(tx, org.id, {
      enabled: true,
      issuerUrl: issuer,
      clientId: client.clientId,
      clientSecretSealed: sealed,
      allowedDomains: domains,
      requireSso: extra.requireSso ?? false,
      breakGlassUserId: extra.breakGlassUserId ?? null,
    }),
  )
}

beforeAll(async () => {
  db = testDb()
  provider = await startOidcProvider(client)
  org = await seedOrg(db)
  domain = `${org.slug}.example.test`
  await configureSso(db, org, provider.issuer, [domain])
})
afterAll(async () => {
  await provider.close()
  await db.end()
})

const deps = () => ({ db, env: testEnv() })

/** What POST /sign-in/sso does: where the browser goes next, and the flow cookie it holds. */
async function start(slug = org.slug) {
  const started = await startSsoSignIn(deps(), slug)
  if (!started.ok) throw new Error(started.reason)
  return { authorizeUrl: new URL(started.url), cookie: started.cookie }
}

/** The browser at the provider: signs in as the identity and follows the redirect back. */
async function atProvider(authorizeUrl: URL, identity: Identity): Promise<URL> {
  provider.signInAs(identity)
  const res = await fetch(authorizeUrl, { redirect: 'manual' })
  expect(res.status).toBe(302)
  return new URL(res.headers.get('location')!)
}

/** What GET /sign-in/sso/callback does with the browser's flow cookie (or none). */
const callback = (back: URL, cookie?: string) =>
  finishSsoSignIn(deps(), cookie, back.search.slice(1), {
    userAgent: 'Mozilla/5.0 (Macintosh; Mac OS X) Firefox/140.0',
    network: '203.0.113.0/24',
  })

async function signIn(identity: Identity) {
  const flow = await start()
  const back = await atProvider(flow.authorizeUrl, identity)
  return callback(back, flow.cookie)
}

async function userByEmail(email: string) {
  const [row] = await db<{ id: string; role: string }[]>`select id, role from app_users where org_id = ${org.id} and email = ${email}`
  return row
}

function expectRefused(result: FinishResult, reason: FinishFailure) {
  expect(result).toEqual({ ok: false, reason })
}

describe('OpenID Connect sign-in', () => {
  it('signs a new person of an allowed domain in through the code flow with PKCE, as a just-in-time agent', async () => {
    const email = `new-${Date.now()}@${domain}`
    const flow = await start()
    const q = flow.authorizeUrl.searchParams
    expect(flow.authorizeUrl.origin).toBe(provider.issuer)
    expect(q.get('redirect_uri')).toBe('http://localhost:8787/sign-in/sso/callback')
    expect(q.get('code_challenge_method')).toBe('S256')
    expect(q.get('scope')).toBe('openid email profile')
    expect(q.get('state')).toBeTruthy()
    expect(q.get('nonce')).toBeTruthy()

    const result = await callback(await atProvider(flow.authorizeUrl, { email, name: 'Nadia New' }), flow.cookie)
    expect(result.ok).toBe(true)
    // The verifier the desk sent hashes to the challenge it sent first, with the client's secret.
    const tokenRequest = provider.tokenRequests.at(-1)!
    expect(createHash('sha256').update(tokenRequest.get('code_verifier')!).digest('base64url')).toBe(q.get('code_challenge'))
    expect(tokenRequest.get('client_secret')).toBe(client.clientSecret)

    const user = await userByEmail(email)
    expect(user?.role).toBe('agent')
    const [session] = await db<{ method: string; network: string; userAgent: string }[]>`
      select method, network, user_agent as "userAgent" from sessions where user_id = ${user!.id}`
    expect(session).toEqual({
      method: 'sso',
      network: '203.0.113.0/24',
      userAgent: expect.stringContaining('Firefox'),
    })
    const [created] = await db<{ actorKind: string; details: Record<string, unknown> }[]>`
      select actor_kind as "actorKind", details from audit_events where org_id = ${org.id} and action = 'user.create' and details->>'email' = ${email}`
    expect(created).toMatchObject({
      actorKind: 'system',
      details: { role: 'agent', via: 'sso' },
    })
    const [signedIn] =
      await db`select details from audit_events where org_id = ${org.id} and action = 'user.sign_in' and actor_id = ${user!.id}`
    expect(signedIn?.details).toMatchObject({ method: 'sso' })
  })

  it('signs an existing admin in without changing their role', async () => {
    const admin = await seedUser(db, org.id, 'admin')
    const email = `boss-${Date.now()}@${domain}`
    await db`update app_users set email = ${email} where id = ${admin.id}`
    expect((await signIn({ email: email.toUpperCase() })).ok).toBe(true)
    expect((await userByEmail(email))?.role).toBe('admin')
  })

  it('refuses a callback whose state was changed, and the attempt is used up', async () => {
    const flow = await start()
    const back = await atProvider(flow.authorizeUrl, {
      email: `state@${domain}`,
    })
    const altered = new URL(back)
    altered.searchParams.set('state', 'forged-state')
    expectRefused(await callback(altered, flow.cookie), 'refused')
    // The genuine answer does not work after that: one attempt, one try.
    expectRefused(await callback(back, flow.cookie), 'expired')
    expect(await userByEmail(`state@${domain}`)).toBeUndefined()
  })

  it('refuses a replayed callback and one from a browser that did not start the sign-in', async () => {
    const flow = await start()
    const back = await atProvider(flow.authorizeUrl, {
      email: `replay@${domain}`,
    })
    expectRefused(await callback(back), 'expired')
    expectRefused(await callback(back, `${flow.cookie.slice(0, 37)}${'A'.repeat(43)}`), 'expired')
    expect((await callback(back, flow.cookie)).ok).toBe(true)
    expectRefused(await callback(back, flow.cookie), 'expired')
  })

  it('refuses a flow cookie pointed at another organization', async () => {
    const other = await seedOrg(db)
    const flow = await start()
    const back = await atProvider(flow.authorizeUrl, {
      email: `cross@${domain}`,
    })
    expectRefused(await callback(back, flow.cookie.replace(/^[0-9a-f-]{36}/, other.id)), 'expired')
  })

  it('refuses when the PKCE challenge the provider saw is not the verifier’s', async () => {
    const flow = await start()
    flow.authorizeUrl.searchParams.set('code_challenge', createHash('sha256').update('another verifier').digest('base64url'))
    expectRefused(await callback(await atProvider(flow.authorizeUrl, { email: `pkce@${domain}` }), flow.cookie), 'refused')
    expect(provider.tokenRequests.at(-1)!.get('code_verifier')).toBeTruthy()
    expect(await userByEmail(`pkce@${domain}`)).toBeUndefined()
  })

  it.each([
    ['a nonce of another sign-in', { nonce: 'replayed-nonce' }],
    ['a token for another audience', { aud: 'some-other-client' }],
    [
      'an expired token',
      {
        iat: Math.floor(Date.now() / 1000) - 7200,
        exp: Math.floor(Date.now() / 1000) - 3600,
      },
    ],
    ['another issuer', { iss: 'https://evil.example' }],
  ])('refuses an ID token with %s', async (_, claims) => {
    const email = `bent-${Math.random().toString(36).slice(2)}@${domain}`
    expectRefused(await signIn({ email, claims }), 'refused')
    expect(await userByEmail(email)).toBeUndefined()
  })

  it('refuses an ID token signed with a key outside the provider’s JWKS', async () => {
    expectRefused(await signIn({ email: `forged@${domain}`, forged: true }), 'refused')
    expect(await userByEmail(`forged@${domain}`)).toBeUndefined()
  })

  it('refuses an address outside the allowed domains, and an unverified one', async () => {
    expectRefused(await signIn({ email: 'outsider@elsewhere.example' }), 'domain_not_allowed')
    expect(await userByEmail('outsider@elsewhere.example')).toBeUndefined()
    expectRefused(await signIn({ email: `unverified@${domain}`, emailVerified: false }), 'unverified_email')
    expect(await userByEmail(`unverified@${domain}`)).toBeUndefined()
    // Entra ID's "email domain owner verified" claim counts as verified.
    expect(
      (
        await signIn({
          email: `entra-${Date.now()}@${domain}`,
          emailVerified: false,
          claims: { xms_edov: true },
        })
      ).ok,
    ).toBe(true)
  })

  it('refuses a disabled user', async () => {
    const agent = await seedUser(db, org.id, 'agent')
    const email = `gone-${Date.now()}@${domain}`
    await db`update app_users set email = ${email}, disabled_at = now() where id = ${agent.id}`
    expectRefused(await signIn({ email }), 'no_access')
  })

  it('refuses to start for an org without SSO or an unknown one, and a sign-in whose SSO was turned off meanwhile', async () => {
    const plain = await seedOrg(db)
    expect(await startSsoSignIn(deps(), plain.slug)).toEqual({
      ok: false,
      reason: 'not_configured',
    })
    expect(await startSsoSignIn(deps(), 'no-such-org')).toEqual({
      ok: false,
      reason: 'unknown_org',
    })
    const late = await seedOrg(db)
    await configureSso(db, late, provider.issuer, [domain])
    const started = await startSsoSignIn(deps(), late.slug)
    if (!started.ok) throw new Error(started.reason)
    const back = await atProvider(new URL(started.url), {
      email: `late@${domain}`,
    })
    await db`update sso_settings set enabled = false where org_id = ${late.id}`
    expectRefused(await finishSsoSignIn(deps(), started.cookie, back.search.slice(1), {}), 'not_configured')
  })

  it('the database refuses a just-in-time user outside the allowed domains, whatever the app asks', async () => {
    await expect(
      withOrg(db, org.id, (tx) => tx`select create_sso_user(${'sneaky@elsewhere.example'}, ${'Sneaky'}, ${provider.issuer})`),
    ).rejects.toThrow(/does not admit this address/)
    const plain = await seedOrg(db)
    await expect(withOrg(db, plain.id, (tx) => tx`select create_sso_user(${`x@${domain}`}, ${'X'}, ${provider.issuer})`)).rejects.toThrow(
      /does not admit/,
    )
    await expect(
      withOrg(db, org.id, (tx) => tx`select create_sso_user(${`x@${domain}`}, ${'X'}, ${'https://other-issuer.example'})`),
    ).rejects.toThrow(/does not admit/)
  })
})
