import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

const page = (cookie: string) => ({ headers: { accept: 'text/html', cookie } })

describe('users managed by admins (/admin/users)', () => {
  let db: Db
  let org: Org
  let admin: { id: string; email: string; orgId: string }
  let adminCookie: string
  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    admin = { ...(await seedUser(db, org.id, 'admin')), orgId: org.id }
    adminCookie = await sessionCookie(db, admin)
  })
  afterAll(() => db.end())

  const app = () => createTestApp(db)
  const auditOf = (action: string, userId: string) =>
    db`select actor_kind, actor_id, details from audit_events where org_id = ${org.id} and action = ${action} and details->>'userId' = ${userId}`
  const userByEmail = async (email: string) =>
    (await db`select id, role, disabled_at from app_users where org_id = ${org.id} and email = ${email}`)[0]

  it('is closed to agents and approvers (403) and to visitors (sign-in)', async () => {
    for (const role of ['agent', 'approver'] as const) {
      const cookie = await sessionCookie(db, { ...(await seedUser(db, org.id, role)), orgId: org.id })
      expect((await app().request('/admin/users', page(cookie))).status).toBe(403)
      expect((await app().request('/admin/users', formPost({ email: 'x@y.test', name: 'X', role: 'admin' }, { cookie }))).status).toBe(403)
    }
    const visitor = await app().request('/admin/users', { headers: { accept: 'text/html' } })
    expect(visitor.status).toBe(303)
  })

  it('lets an admin add a user, audited in the same transaction', async () => {
    const email = `new-${randomBytes(4).toString('hex')}@example.test`
    const res = await app().request(
      '/admin/users',
      formPost({ email: email.toUpperCase(), name: 'Nia <b>New</b>', role: 'approver' }, { cookie: adminCookie }),
    )
    expect(res.status).toBe(303)
    const user = await userByEmail(email)
    expect(user).toMatchObject({ role: 'approver', disabled_at: null })
    expect(await auditOf('user.create', user!.id)).toEqual([
      { actor_kind: 'user', actor_id: admin.id, details: { userId: user!.id, email, role: 'approver' } },
    ])
    const listing = await (await app().request('/admin/users', page(adminCookie))).text()
    expect(listing).toContain('Nia &lt;b&gt;New&lt;/b&gt;')
  })

  it('re-renders the form with field errors for bad input and a duplicate address', async () => {
    const bad = await app().request('/admin/users', formPost({ email: 'nope', name: '', role: 'owner' }, { cookie: adminCookie }))
    expect(bad.status).toBe(422)
    const body = await bad.text()
    expect(body).toContain('Enter an email address')
    expect(body).toContain('Enter a name.')
    expect(body).toContain('Choose a role.')
    const dup = await app().request(
      '/admin/users',
      formPost({ email: admin.email, name: 'Again', role: 'agent' }, { cookie: adminCookie, 'hx-request': 'true' }),
    )
    expect(dup.status).toBe(422)
    const fragment = await dup.text()
    expect(fragment).toMatch(
      /^<section id="users-panel" hx-target:inherited="#users-panel" hx-swap:inherited="outerHTML" hx-nonce="[^"]+">/,
    )
    expect(fragment).toContain('is already a user of this organization')
  })

  it('changes a role, audited with from and to', async () => {
    const agent = await seedUser(db, org.id, 'agent')
    const res = await app().request(
      `/admin/users/${agent.id}/role`,
      formPost({ role: 'approver' }, { cookie: adminCookie, 'hx-request': 'true' }),
    )
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('id="users-panel"')
    expect((await userByEmail(agent.email))!.role).toBe('approver')
    expect(await auditOf('user.role_change', agent.id)).toEqual([
      { actor_kind: 'user', actor_id: admin.id, details: { userId: agent.id, email: agent.email, from: 'agent', to: 'approver' } },
    ])
  })

  it('disables a user, ending their sessions, audited', async () => {
    const agent = { ...(await seedUser(db, org.id, 'agent')), orgId: org.id }
    const cookie = await sessionCookie(db, agent)
    expect((await app().request('/', page(cookie))).status).toBe(200)
    const res = await app().request(`/admin/users/${agent.id}/disable`, formPost({}, { cookie: adminCookie }))
    expect(res.status).toBe(303)
    expect((await userByEmail(agent.email))!.disabled_at).toBeInstanceOf(Date)
    const sessions = await db`select revoked_at from sessions where user_id = ${agent.id}`
    expect(sessions.every((s) => s.revoked_at instanceof Date)).toBe(true)
    expect((await app().request('/', page(cookie))).status).toBe(303)
    expect(await auditOf('user.disable', agent.id)).toEqual([
      { actor_kind: 'user', actor_id: admin.id, details: { userId: agent.id, email: agent.email, sessionsRevoked: 1 } },
    ])
  })

  it("refuses an admin demoting or disabling themselves, and another org's user is a 404", async () => {
    const self = await app().request(`/admin/users/${admin.id}/disable`, formPost({}, { cookie: adminCookie }))
    expect(self.status).toBe(422)
    expect(await self.text()).toContain('You cannot change your own role')
    expect((await userByEmail(admin.email))!.disabled_at).toBeNull()

    const otherOrg = await seedOrg(db)
    const stranger = await seedUser(db, otherOrg.id, 'agent')
    const res = await app().request(`/admin/users/${stranger.id}/role`, formPost({ role: 'admin' }, { cookie: adminCookie }))
    expect(res.status).toBe(404)
    const [row] = await db`select role from app_users where id = ${stranger.id}`
    expect(row!.role).toBe('agent')
  })

  describe("what the gate trusts is out of the application role's reach", () => {
    /** Raw SQL as the application role, inside the org: what any code path (or injection) could do. */
    const asApp = (sql: string, orgId = org.id) => withOrg(db, orgId, (tx) => tx.unsafe(sql))
    const roleChanges = async (userId: string) =>
      (await db`select count(*)::int as n from audit_events where org_id = ${org.id} and details->>'userId' = ${userId}`)[0]!.n

    it('refuses UPDATE of role and disabled_at, and INSERT of a new approver, as desk_app', async () => {
      const agent = await seedUser(db, org.id, 'agent')
      await expect(asApp(`update app_users set role = 'approver' where id = '${agent.id}'`)).rejects.toThrow(/permission denied/)
      await expect(asApp(`update app_users set disabled_at = now() where id = '${admin.id}'`)).rejects.toThrow(/permission denied/)
      await expect(
        asApp(
          `insert into app_users (org_id, email, name, role) values ('${org.id}', 'minted-${randomBytes(3).toString('hex')}@example.test', 'Minted', 'admin')`,
        ),
      ).rejects.toThrow(/permission denied/)
      expect(await userByEmail(agent.email)).toMatchObject({ role: 'agent', disabled_at: null })
      expect(await userByEmail(admin.email)).toMatchObject({ role: 'admin', disabled_at: null })
    })

    it('the functions act only for an active admin of the current org, never on themselves, and audit every change', async () => {
      const agent = await seedUser(db, org.id, 'agent')
      const approver = await seedUser(db, org.id, 'approver')
      const target = await seedUser(db, org.id, 'agent')
      for (const actor of [agent, approver]) {
        await expect(asApp(`select change_user_role('${actor.id}', '${target.id}', 'admin')`)).rejects.toThrow(/only an active admin/)
        await expect(asApp(`select disable_app_user('${actor.id}', '${target.id}')`)).rejects.toThrow(/only an active admin/)
        await expect(
          asApp(`select create_app_user('${actor.id}', 'x-${randomBytes(3).toString('hex')}@example.test', 'X', 'admin')`),
        ).rejects.toThrow(/only an active admin/)
      }
      await expect(asApp(`select change_user_role('${admin.id}', '${admin.id}', 'agent')`)).rejects.toThrow(/own role/)
      await expect(asApp(`select disable_app_user('${admin.id}', '${admin.id}')`)).rejects.toThrow(/own role/)
      // An admin of another org, acting here, is not an admin of this org.
      const elsewhere = await seedOrg(db)
      const foreignAdmin = await seedUser(db, elsewhere.id, 'admin')
      await expect(asApp(`select change_user_role('${foreignAdmin.id}', '${target.id}', 'admin')`)).rejects.toThrow(/only an active admin/)
      // Nor can this org's admin reach a user of another org.
      const stranger = await seedUser(db, elsewhere.id, 'agent')
      expect(await asApp(`select change_user_role('${admin.id}', '${stranger.id}', 'admin') as outcome`)).toEqual([
        { outcome: 'not_found' },
      ])
      expect((await db`select role from app_users where id = ${stranger.id}`)[0]).toEqual({ role: 'agent' })
      expect(await userByEmail(target.email)).toMatchObject({ role: 'agent', disabled_at: null })
      expect(await roleChanges(target.id)).toBe(0)

      // A disabled admin is no admin.
      const former = await seedUser(db, org.id, 'admin')
      await asApp(`select disable_app_user('${admin.id}', '${former.id}')`)
      await expect(asApp(`select change_user_role('${former.id}', '${target.id}', 'approver')`)).rejects.toThrow(/only an active admin/)

      expect(await asApp(`select change_user_role('${admin.id}', '${target.id}', 'approver') as outcome`)).toEqual([{ outcome: 'changed' }])
      expect(await auditOf('user.role_change', target.id)).toEqual([
        { actor_kind: 'user', actor_id: admin.id, details: { userId: target.id, email: target.email, from: 'agent', to: 'approver' } },
      ])
    })
  })
})
