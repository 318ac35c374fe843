// Saved views (sql/00026): a named queue filter, the user's own or shared with the org by an
// approver or admin, listed beside the built-in views; opening one is opening its URL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

describe('saved views', () => {
  let db: Db
  let org: Org
  const cookies: Record<'agent' | 'colleague' | 'approver' | 'stranger', string> = {} as never

  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    const other = await seedOrg(db)
    for (const [who, role, o] of [
      ['agent', 'agent', org],
      ['colleague', 'agent', org],
      ['approver', 'approver', org],
      ['stranger', 'admin', other],
    ] as const) {
      const u = await seedUser(db, o.id, role)
      cookies[who] = await sessionCookie(db, { id: u.id, orgId: o.id })
    }
  })
  afterAll(() => db.end())

  const app = () => createTestApp(db)
  const queue = async (who: keyof typeof cookies) =>
    (await app().request('/', { headers: { accept: 'text/html', cookie: cookies[who] } })).text()
  const save = (who: keyof typeof cookies, fields: Record<string, string>) =>
    app().request('/views', formPost(fields, { cookie: cookies[who] }))

  it('saves the current filter under a name and lists it, as a link to that filter, for its owner only', async () => {
    expect((await queue('agent')).includes('Save this view as')).toBe(false) // nothing filtered, nothing to save
    const filtered = await (await app().request('/?view=at_risk&severity=SEV-1', { headers: { cookie: cookies.agent } })).text()
    expect(filtered).toContain('Save this view as')
    const res = await save('agent', { name: '  My   urgent ones ', query: 'view=at_risk&severity=SEV-1' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/?view=at_risk&severity=SEV-1')
    expect(await queue('agent')).toContain('href="/?view=at_risk&amp;severity=SEV-1">My urgent ones</a>')
    expect(await queue('colleague')).not.toContain('My urgent ones')
    expect(await queue('stranger')).not.toContain('My urgent ones')
  })

  it('a second view of the same name is refused with a sentence; an agent cannot share', async () => {
    const again = await save('agent', { name: 'my URGENT ones', query: 'view=mine' })
    expect(again.status).toBe(409)
    expect(await again.text()).toContain('You already have a view called')
    const shared = await save('agent', { name: 'For everyone', query: 'view=unowned', shared: '1' })
    expect(shared.status).toBe(403)
  })

  it("an approver's shared view is listed for everyone in the org, and only there", async () => {
    expect((await save('approver', { name: 'Team: unowned', query: 'view=unowned', shared: '1' })).status).toBe(303)
    expect(await queue('colleague')).toContain('Team: unowned')
    expect(await queue('stranger')).not.toContain('Team: unowned')
  })

  it('what is saved is a queue filter, never anything else', async () => {
    expect((await save('agent', { name: 'Odd', query: 'view=mine#x' })).status).toBe(400)
    expect((await save('agent', { name: '', query: 'view=mine' })).status).toBe(400)
    expect((await save('agent', { name: 'x'.repeat(61), query: 'view=mine' })).status).toBe(400)
  })

  it('the owner deletes their view; a colleague cannot', async () => {
    await save('agent', { name: 'Short-lived', query: 'view=mine' })
    const [view] = await db<{ id: string }[]>`select id from saved_views where org_id = ${org.id} and name = 'Short-lived'`
    expect((await app().request(`/views/${view!.id}/delete`, formPost({}, { cookie: cookies.colleague }))).status).toBe(404)
    expect((await app().request(`/views/${view!.id}/delete`, formPost({}, { cookie: cookies.agent }))).status).toBe(303)
    expect(await queue('agent')).not.toContain('Short-lived')
  })
})
