import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

describe('ticket counts: /admin/ticket-counts', () => {
  let db: Db
  let org: Org
  let adminCookie: string
  let agentCookie: string
  const app = () => createTestApp(db)
  const post = (path: string, fields: Record<string, string>, cookie = adminCookie) => app().request(path, formPost(fields, { cookie }))

  beforeAll(async () => {
    db = testDb(2)
    org = await seedOrg(db, { timezone: 'UTC' })
    const admin = await seedUser(db, org.id, 'admin')
    const agent = await seedUser(db, org.id, 'agent')
    adminCookie = await sessionCookie(db, { id: admin.id, orgId: org.id })
    agentCookie = await sessionCookie(db, { id: agent.id, orgId: org.id })
  })
  afterAll(() => db.end())

  it('a month typed in replaces that month, audited with the figure it replaced', async () => {
    expect((await post('/admin/ticket-counts', { month: '2026-10', tickets: '1000' })).status).toBe(200)
    const page = await (await post('/admin/ticket-counts', { month: '2026-10', tickets: '400' })).text()
    expect(page).toContain('Saved: 400 tickets in 2026-10.')
    const [audit] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ details: { months: unknown[]; via: string } }[]>`
      select details from audit_events where action = 'ticket_counts.set' order by seq desc limit 1`,
    )
    expect(audit!.details).toEqual({ via: 'form', months: [{ month: '2026-10', tickets: 400, before: 1000 }] })
    expect(await (await app().request('/metrics', { headers: { cookie: adminCookie } })).text()).toContain('href="/admin/ticket-counts"')
  })

  it('CSV import of month,count: all lines or none; bad input is refused with the reason', async () => {
    const bad = await post('/admin/ticket-counts/import', { csv: 'month,count\n2026-08,900\n2026-13,5\n2026-07,lots' })
    expect(bad.status).toBe(422)
    const text = await bad.text()
    expect(text).toContain('Line 3')
    expect(text).toContain('Line 4')
    expect(await withOrg(db, org.id, (tx) => tx`select month from ticket_counts where month = '2026-08-01'`)).toHaveLength(0)

    const ok = await post('/admin/ticket-counts/import', { csv: 'month,count\r\n2026-08,900\r\n2026/9,"1,250"\r\n' })
    expect(ok.status).toBe(200)
    const months = await withOrg(db, org.id, (tx) => tx`select to_char(month, 'YYYY-MM') as m, tickets from ticket_counts order by month`)
    expect(months).toEqual([
      { m: '2026-08', tickets: 900 },
      { m: '2026-09', tickets: 1250 },
      { m: '2026-10', tickets: 400 },
    ])
    expect((await post('/admin/ticket-counts', { month: 'October', tickets: '5' })).status).toBe(422)
    expect((await post('/admin/ticket-counts', { month: '2026-10', tickets: '-5' })).status).toBe(422)
  })

  it('ticket counts are for admins only', async () => {
    expect((await app().request('/admin/ticket-counts', { headers: { cookie: agentCookie } })).status).toBe(403)
    expect((await post('/admin/ticket-counts', { month: '2026-10', tickets: '1' }, agentCookie)).status).toBe(403)
    const [n] = await withOrg(db, org.id, (tx) => tx<{ tickets: number }[]>`select tickets from ticket_counts where month = '2026-10-01'`)
    expect(n!.tickets).toBe(400)
  })
})
