import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../src/auth/crypto.ts'
import { setSecondFactorRequired } from '../../src/auth/second-factor-admin.ts'
import { acceptTotpCode } from '../../src/auth/second-factor-totp.ts'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { enrolTotp, htmlPage, signInByLink, totpCode } from './second-factor-helpers.ts'

describe('second factor: TOTP, recovery codes, the pending session', () => {
  let db: Db
  let org: Org
  const app = () => createTestApp(db)
  beforeAll(async () => {
    db = testDb(6)
    org = await seedOrg(db)
  })
  afterAll(() => db.end())

  const newUser = async (role: 'agent' | 'approver' | 'admin' = 'approver', orgId = org.id) => ({
    ...(await seedUser(db, orgId, role)),
    orgId,
  })
  const audits = (userId: string, action: string) =>
    db<{ details: Record<string, unknown> }[]>`select details from audit_events where actor_id = ${userId} and action = ${action}`

  it('enrols an app: the otpauth URI and base32 key, a wrong first code refused, the right one shows 10 recovery codes once', async () => {
    const user = await newUser('agent')
    const cookie = await sessionCookie(db, user)
    const start = await app().request('/second-factor/totp', formPost({}, { cookie }))
    const page = await start.text()
    const secret = /value="([A-Z2-7]{32})"/.exec(page)![1]!
    expect(page).toContain(`otpauth://totp/`)
    expect(page).toContain(`secret=${secret}`)
    expect(page).toMatch(/<svg[^>]*id="totp-qr" class="totp-qr" role="img"/) // drawn from the URI: second-factor-qr.test.ts
    const [stored] = await db<{ secretSealed: string; confirmedAt: Date | null }[]>`
      select secret_sealed as "secretSealed", confirmed_at as "confirmedAt" from totp_factors where user_id = ${user.id}`
    expect(stored!.secretSealed).toMatch(/^v1:/)
    expect(stored!.secretSealed).not.toContain(secret)
    expect(stored!.confirmedAt).toBeNull()

    const wrongCode = String((Number(totpCode(secret)) + 1) % 1_000_000).padStart(6, '0')
    const wrong = await app().request('/second-factor/totp/confirm', formPost({ code: wrongCode }, { cookie }))
    expect(wrong.status).toBe(422)
    expect(await wrong.text()).toContain(secret) // shown again to try once more

    const done = await app().request('/second-factor/totp/confirm', formPost({ code: totpCode(secret) }, { cookie }))
    expect(done.status).toBe(200)
    expect(done.headers.get('x-desk-shown-once')).toBe('1')
    const codes = [...(await done.text()).matchAll(/<code>([a-z2-9]{5}-[a-z2-9]{5})<\/code>/g)].map((m) => m[1])
    expect(new Set(codes).size).toBe(10)
    const hashes = await db<{ codeHash: string }[]>`select code_hash as "codeHash" from recovery_codes where user_id = ${user.id}`
    expect(hashes).toHaveLength(10)
    expect(hashes.map((h) => h.codeHash)).not.toContain(codes[0]!.replace('-', ''))
    expect(await audits(user.id, 'user.second_factor_enrol')).toHaveLength(1)
    // A second set-up cannot replace a confirmed app.
    const again = await app().request('/second-factor/totp', formPost({}, { cookie }))
    expect(again.status).toBe(303)
  })

  it('after the link, a user with an app is pending: no /cases, no other POST, until the code; a replayed code is refused', async () => {
    const user = await newUser('agent')
    const { secret } = await enrolTotp(app(), await sessionCookie(db, user))

    const cookie = await signInByLink(app(), db, user)
    const cases = await app().request('/cases', htmlPage(cookie))
    expect(cases.status).toBe(303)
    expect(cases.headers.get('location')).toBe('/sign-in')
    expect((await app().request('/', htmlPage(cookie))).headers.get('location')).toBe('/second-factor')
    expect((await app().request('/sign-in', htmlPage(cookie))).headers.get('location')).toBe('/second-factor')
    const newCase = await app().request('/cases', formPost({ subject: 'x', customerEmail: 'a@b.test' }, { cookie }))
    expect([401, 303]).toContain(newCase.status)
    expect(await db`select 1 from cases where org_id = ${org.id}`).toHaveLength(0)
    // Whoever holds only the link cannot enrol a factor of their own to get past this one.
    expect((await app().request('/second-factor/totp', formPost({}, { cookie }))).status).toBe(403)
    expect((await app().request('/second-factor/passkeys/options', formPost({}, { cookie }))).status).toBe(403)

    const verify = await app().request('/second-factor', htmlPage(cookie))
    expect(await verify.text()).toContain('Confirm it is you')
    const wrong = await app().request(
      '/second-factor/verify',
      formPost({ code: '000000' === totpCode(secret) ? '111111' : '000000' }, { cookie }),
    )
    expect(wrong.status).toBe(422)
    // The next step's code: the current one was spent confirming the enrolment.
    const code = totpCode(secret, Date.now() + 30_000)
    const pass = await app().request('/second-factor/verify', formPost({ code }, { cookie }))
    expect(pass.status).toBe(303)
    expect(pass.headers.get('location')).toBe('/')
    expect((await app().request('/cases', htmlPage(cookie))).status).toBe(200)
    expect((await audits(user.id, 'user.second_factor_pass'))[0]!.details).toMatchObject({ method: 'totp' })

    // The same code in another pending session (someone who saw it over a shoulder): refused.
    const other = await signInByLink(app(), db, user)
    expect((await app().request('/second-factor/verify', formPost({ code }, { cookie: other }))).status).toBe(422)
    expect((await app().request('/cases', htmlPage(other))).status).toBe(303)
  })

  it('accepts a code one step either side of now, each step once and never an older one', async () => {
    const user = await newUser('agent')
    const { secret } = await enrolTotp(app(), await sessionCookie(db, user))
    const deps = { db, env: testEnv() }
    const owner = { orgId: org.id, userId: user.id }
    // Well past the enrolment's step, so these steps are all new.
    const now = Date.now() + 10 * 60_000
    expect(await acceptTotpCode(deps, owner, totpCode(secret, now - 30_000), false, now)).toBe(true) // phone 30 s behind
    expect(await acceptTotpCode(deps, owner, totpCode(secret, now - 30_000), false, now)).toBe(false) // replayed
    expect(await acceptTotpCode(deps, owner, totpCode(secret, now + 30_000), false, now)).toBe(true) // phone 30 s ahead
    expect(await acceptTotpCode(deps, owner, totpCode(secret, now), false, now)).toBe(false) // older than the last accepted
    expect(await acceptTotpCode(deps, owner, totpCode(secret, now + 90_000), false, now)).toBe(false) // three steps off
    expect(await acceptTotpCode(deps, owner, totpCode(secret, now + 60_000), false, now + 60_000)).toBe(true)
  })

  it('a recovery code passes once; ten wrong codes lock the codes for 15 minutes, even the right one', async () => {
    const user = await newUser('agent')
    const { secret, recoveryCodes } = await enrolTotp(app(), await sessionCookie(db, user))
    const cookie = await signInByLink(app(), db, user)
    const pass = await app().request('/second-factor/verify', formPost({ code: recoveryCodes[3]!.toUpperCase() }, { cookie }))
    expect(pass.status).toBe(303)
    expect((await audits(user.id, 'user.second_factor_pass'))[0]!.details).toMatchObject({ method: 'recovery_code' })
    const again = await signInByLink(app(), db, user)
    expect((await app().request('/second-factor/verify', formPost({ code: recoveryCodes[3]! }, { cookie: again }))).status).toBe(422)
    for (let i = 0; i < 9; i++) {
      expect((await app().request('/second-factor/verify', formPost({ code: 'wrong-code' }, { cookie: again }))).status).toBe(422)
    }
    const locked = await app().request(
      '/second-factor/verify',
      formPost({ code: totpCode(secret, Date.now() + 30_000) }, { cookie: again }),
    )
    expect(locked.status).toBe(429)
    expect((await app().request('/cases', htmlPage(again))).status).toBe(303)
  })

  it('an org that requires it: an admin without a factor is sent to enrol, an agent is not; enrolling opens the desk', async () => {
    const other = await seedOrg(db)
    const admin = await newUser('admin', other.id)
    const agent = await newUser('agent', other.id)
    const adminCookie = await sessionCookie(db, admin) // a session from before the requirement
    const agentCookie = await sessionCookie(db, agent)
    const refused = await app().request('/admin/second-factor/policy', formPost({ required: 'on' }, { cookie: agentCookie }))
    expect(refused.status).toBe(403)
    const policy = await app().request('/admin/second-factor/policy', formPost({ required: 'on' }, { cookie: adminCookie }))
    expect(policy.status).toBe(303)
    const [audit] = await db<{ details: unknown }[]>`
      select details from audit_events where org_id = ${other.id} and action = 'org.second_factor_policy_change'`
    expect(audit!.details).toEqual({ before: false, after: true })

    expect((await app().request('/cases', htmlPage(adminCookie))).status).toBe(303)
    expect((await app().request('/', htmlPage(adminCookie))).headers.get('location')).toBe('/second-factor')
    expect(await (await app().request('/second-factor', htmlPage(adminCookie))).text()).toContain('requires a second factor')
    expect((await app().request('/cases', htmlPage(agentCookie))).status).toBe(200)
    // A session from single sign-on owes nothing: the identity provider answers for it.
    const ssoCookie = await sessionCookie(db, admin)
    await db`update sessions set method = 'sso' where token_hash = ${await sha256Hex(ssoCookie.split('=')[1]!)}`
    expect((await app().request('/cases', htmlPage(ssoCookie))).status).toBe(200)

    // A fresh sign-in by link is held the same way; enrolling there makes it a full session.
    const fresh = await signInByLink(app(), db, admin)
    expect((await app().request('/cases', htmlPage(fresh))).status).toBe(303)
    const { recoveryCodes } = await enrolTotp(app(), fresh)
    expect(recoveryCodes).toHaveLength(10)
    expect((await app().request('/cases', htmlPage(fresh))).status).toBe(200)
  })

  it('desk_app cannot turn the requirement off behind the function; turning it off is audited', async () => {
    const other = await seedOrg(db)
    const admin = await newUser('admin', other.id)
    await setSecondFactorRequired({ db, env: testEnv() }, admin, true)
    await expect(
      withOrg(db, other.id, async (tx) => {
        await tx`set local role desk_app`
        await tx`update orgs set require_second_factor = false where id = ${other.id}`
      }),
    ).rejects.toThrow(/set_second_factor_policy/)
    const agent = await newUser('agent', other.id)
    await expect(
      withOrg(db, other.id, async (tx) => {
        await tx`set local role desk_app`
        await tx`select set_second_factor_policy(${agent.id}, false)`
      }),
    ).rejects.toThrow(/only an active admin/)
    expect(await setSecondFactorRequired({ db, env: testEnv() }, admin, false)).toBe(true)
  })

  it("an admin resets a user's factors: gone, signed out everywhere, audited; not their own, not another org's user", async () => {
    const admin = await newUser('admin')
    const adminCookie = await sessionCookie(db, admin)
    const user = await newUser('approver')
    const userCookie = await sessionCookie(db, user)
    await enrolTotp(app(), userCookie)
    const list = await (await app().request('/admin/second-factor', htmlPage(adminCookie))).text()
    expect(list).toContain(`/admin/second-factor/users/${user.id}/reset`)

    const agent = await sessionCookie(db, await newUser('agent'))
    expect((await app().request(`/admin/second-factor/users/${user.id}/reset`, formPost({}, { cookie: agent }))).status).toBe(403)
    const stranger = await newUser('admin', (await seedOrg(db)).id)
    expect((await app().request(`/admin/second-factor/users/${stranger.id}/reset`, formPost({}, { cookie: adminCookie }))).status).toBe(404)
    expect((await app().request(`/admin/second-factor/users/${admin.id}/reset`, formPost({}, { cookie: adminCookie }))).status).toBe(403)

    const reset = await app().request(`/admin/second-factor/users/${user.id}/reset`, formPost({}, { cookie: adminCookie }))
    expect(reset.status).toBe(303)
    expect(await db`select 1 from totp_factors where user_id = ${user.id}`).toHaveLength(0)
    expect(await db`select 1 from recovery_codes where user_id = ${user.id}`).toHaveLength(0)
    expect((await app().request('/cases', htmlPage(userCookie))).status).toBe(303)
    const [audit] = await audits(admin.id, 'user.second_factor_reset')
    expect(audit!.details).toMatchObject({ userId: user.id, totp: true, passkeys: 0, sessionsRevoked: 1 })
    // Signing in again needs nothing more (the org does not require a factor).
    expect((await app().request('/cases', htmlPage(await signInByLink(app(), db, user)))).status).toBe(200)
  })

  it('hostile text in every field of the second-factor forms, from a full and from a pending session: never a 5xx', async () => {
    const admin = await newUser('admin')
    await enrolTotp(app(), await sessionCookie(db, admin))
    const sessions = [await sessionCookie(db, admin), await signInByLink(app(), db, admin)]
    const hostile = ["' OR '1'='1", '{"id":{"$gt":""},"response":null}', '[]', 'null', '\u0000', 'x'.repeat(5000), '-1']
    const paths = app()
      .routes.filter((r) => r.method === 'POST' && r.path.includes('second-factor'))
      .map((r) => r.path.replace(':id', admin.id))
    expect(paths.length).toBeGreaterThanOrEqual(10)
    const problems: string[] = []
    for (const cookie of sessions) {
      for (const path of paths) {
        for (const value of hostile) {
          const res = await app().request(path, formPost({ code: value, response: value, name: value, required: value }, { cookie }))
          if (res.status >= 500) problems.push(`${path} ${JSON.stringify(value).slice(0, 30)}: ${res.status}`)
        }
      }
    }
    expect(problems).toEqual([])
  })
})
