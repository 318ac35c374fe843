import { generateKeyPairSync } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { htmlPage, recoveryCodesIn, signInByLink } from './second-factor-helpers.ts'
import { SoftwareAuthenticator, type ClientOverrides } from './software-authenticator.ts'

type Options = {
  challenge: string
  rp: { id?: string }
  rpId?: string
  allowCredentials?: { id: string }[]
  excludeCredentials?: { id: string }[]
}

describe('second factor: passkeys with a software authenticator', () => {
  let db: Db
  let org: Org
  const app = () => createTestApp(db)
  beforeAll(async () => {
    db = testDb(6)
    org = await seedOrg(db)
  })
  afterAll(() => db.end())

  const newUser = async () => ({ ...(await seedUser(db, org.id, 'approver')), orgId: org.id })

  async function options(path: string, cookie: string): Promise<Options> {
    const res = await app().request(path, formPost({}, { cookie }))
    expect(res.status).toBe(200)
    return (await res.json()) as Options
  }

  /** Registers the authenticator through the pages, as the button does. */
  async function register(cookie: string, key: SoftwareAuthenticator, o: ClientOverrides = {}) {
    const created = await options('/second-factor/passkeys/options', cookie)
    const response = key.register(created, o)
    return app().request('/second-factor/passkeys', formPost({ response: JSON.stringify(response), name: 'Laptop' }, { cookie }))
  }

  async function authenticate(cookie: string, key: SoftwareAuthenticator, o: Parameters<SoftwareAuthenticator['assert']>[1] = {}) {
    const asked = await options('/second-factor/passkey/options', cookie)
    const response = key.assert(asked, o)
    const res = await app().request('/second-factor/passkey', formPost({ response: JSON.stringify(response) }, { cookie }))
    return { res, asked, response }
  }

  async function userWithPasskey() {
    const user = await newUser()
    const key = new SoftwareAuthenticator()
    const res = await register(await sessionCookie(db, user), key)
    expect(res.status).toBe(200)
    return { user, key, page: await res.text() }
  }

  it('registers a passkey ("none" attestation, ES256): stored with its counter, the first factor shows 10 recovery codes', async () => {
    const { user, key, page } = await userWithPasskey()
    expect(recoveryCodesIn(page)).toHaveLength(10)
    const [row] = await db<{ credentialId: string; signCount: number; transports: string[]; name: string }[]>`
      select credential_id as "credentialId", sign_count::int as "signCount", transports, name from passkey_credentials where user_id = ${user.id}`
    expect(row).toEqual({ credentialId: key.id, signCount: 0, transports: ['internal'], name: 'Laptop' })
    // The next registration's options exclude it (the browser will not make a second one on that authenticator).
    const again = await options('/second-factor/passkeys/options', await sessionCookie(db, user))
    expect(again.rp.id).toBe('localhost')
    expect(again.excludeCredentials?.map((c) => c.id)).toEqual([key.id])
  })

  it('refuses a registration for another origin, another rpID, or a challenge the desk did not issue', async () => {
    const user = await newUser()
    const cookie = await sessionCookie(db, user)
    expect((await register(cookie, new SoftwareAuthenticator(), { origin: 'https://evil.example' })).status).toBe(422)
    expect((await register(cookie, new SoftwareAuthenticator(), { rpId: 'evil.example' })).status).toBe(422)
    expect((await register(cookie, new SoftwareAuthenticator(), { challenge: 'bm90LXRoZS1kZXNrcy1jaGFsbGVuZ2U' })).status).toBe(422)
    // An answer without a fresh options request: the challenge was used up by the last attempt.
    const key = new SoftwareAuthenticator()
    const stale = key.register({ challenge: 'AAAA', rp: { id: 'localhost' } })
    const res = await app().request('/second-factor/passkeys', formPost({ response: JSON.stringify(stale) }, { cookie }))
    expect(res.status).toBe(422)
    expect(await db`select 1 from passkey_credentials where user_id = ${user.id}`).toHaveLength(0)
  })

  it('after the link, the passkey makes the session full; the same assertion again is refused', async () => {
    const { user, key } = await userWithPasskey()
    const cookie = await signInByLink(app(), db, user)
    expect((await app().request('/cases', htmlPage(cookie))).status).toBe(303)
    expect(await (await app().request('/second-factor', htmlPage(cookie))).text()).toContain('Use my passkey')
    const { res, asked, response } = await authenticate(cookie, key)
    expect(asked.allowCredentials?.map((c) => c.id)).toEqual([key.id])
    expect(res.status).toBe(303)
    expect((await app().request('/cases', htmlPage(cookie))).status).toBe(200)
    const [row] = await db<
      { signCount: number }[]
    >`select sign_count::int as "signCount" from passkey_credentials where user_id = ${user.id}`
    expect(row!.signCount).toBe(1)
    const [audit] = await db<{ details: { method: string } }[]>`
      select details from audit_events where actor_id = ${user.id} and action = 'user.second_factor_pass'`
    expect(audit!.details.method).toBe('passkey')

    // Replayed into another pending session: its challenge is not the one signed.
    const other = await signInByLink(app(), db, user)
    await options('/second-factor/passkey/options', other)
    const replay = await app().request('/second-factor/passkey', formPost({ response: JSON.stringify(response) }, { cookie: other }))
    expect(replay.status).toBe(422)
    expect((await app().request('/cases', htmlPage(other))).status).toBe(303)
  })

  it('refuses a forged signature, a phishing origin, a cloned key (counter not moving) and a passkey of another user', async () => {
    const { user, key } = await userWithPasskey()
    const cookie = await signInByLink(app(), db, user)
    const forger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    expect((await authenticate(cookie, key, { signWith: forger })).res.status).toBe(422)
    expect((await authenticate(cookie, key, { origin: 'https://desk.evil.example' })).res.status).toBe(422)
    expect((await authenticate(cookie, key, { type: 'webauthn.create' })).res.status).toBe(422)
    expect((await authenticate(cookie, key)).res.status).toBe(303) // counter 4 now (each try counted up)

    const again = await signInByLink(app(), db, user)
    expect((await authenticate(again, key, { keepCounter: true })).res.status).toBe(422) // a copy replaying counter 4
    const { key: strangersKey } = await userWithPasskey()
    expect((await authenticate(again, strangersKey)).res.status).toBe(422)
    expect((await app().request('/cases', htmlPage(again))).status).toBe(303)
    // A full session cannot answer a passkey challenge (nothing is owed): it is no pending session.
    const full = await sessionCookie(db, user)
    expect((await app().request('/second-factor/passkey/options', formPost({}, { cookie: full }))).status).not.toBe(200)
  })
})
