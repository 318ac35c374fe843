import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { arrangeCase } from '../support/digest.ts'

describe('/admin/digest: digest hour, recipients and alerts, with a preview', () => {
  let db: Db
  let org: Org
  let app: ReturnType<typeof createTestApp>
  let admin: { id: string; email: string }
  let agent: { id: string; email: string }
  let adminCookie: string

  beforeAll(async () => {
    db = testDb()
    app = createTestApp(db)
    org = await seedOrg(db, { timezone: 'Europe/London' })
    admin = await seedUser(db, org.id, 'admin')
    agent = await seedUser(db, org.id, 'agent')
    adminCookie = await sessionCookie(db, { id: admin.id, orgId: org.id })
    await arrangeCase(db, org.id, { subject: 'Waiting <b>for</b> an owner', status: 'new' })
  })
  afterAll(async () => {
    await db.end()
  })

  it('shows the settings and what the digest would say now; only admins', async () => {
    const agentCookie = await sessionCookie(db, { id: agent.id, orgId: org.id })
    expect((await app.request('/admin/digest', { headers: { cookie: agentCookie } })).status).toBe(403)
    const res = await app.request('/admin/digest', { headers: { cookie: adminCookie } })
    expect(res.status).toBe(200)
    const page = await res.text()
    expect(page).toContain('name="digest_enabled" checked')
    expect(page).toContain('<option value="8" selected')
    expect(page).toContain('Europe/London')
    expect(page).toContain(`It would go to ${admin.email}.`)
    expect(page).toContain('UNOWNED (1)')
    expect(page).toContain('Waiting &lt;b&gt;for&lt;/b&gt; an owner')
  })

  it('saves the hour, recipients and alert switches, audited; refuses addresses of non-users', async () => {
    const bad = await app.request(
      '/admin/digest',
      formPost(
        { digest_enabled: 'on', digest_hour: '7', digest_recipients: `${agent.email}\nceo@elsewhere.test` },
        { cookie: adminCookie },
      ),
    )
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('Not an active user of this organization: ceo@elsewhere.test')
    const [unchanged] = await db`select digest_hour, settings from orgs where id = ${org.id}`
    expect(unchanged).toMatchObject({ digest_hour: 8, settings: {} })

    const ok = await app.request(
      '/admin/digest',
      formPost(
        { digest_enabled: 'on', digest_hour: '7', digest_recipients: `${agent.email.toUpperCase()}`, alert_new_sev1: 'on' },
        { cookie: adminCookie },
      ),
    )
    expect(ok.status).toBe(200)
    expect(await ok.text()).toContain(`It would go to ${agent.email}.`)
    const [saved] = await db`select digest_hour, settings from orgs where id = ${org.id}`
    expect(saved).toEqual({
      digest_hour: 7,
      settings: {
        digest_enabled: true,
        digest_when_empty: false,
        digest_recipients: [agent.email],
        alert_new_sev1: true,
        alert_at_risk: false,
        alert_send_failed: false,
      },
    })
    const [event] = await db`select actor_id, details from audit_events where org_id = ${org.id} and action = 'org.notifications_change'`
    expect(event).toMatchObject({
      actor_id: admin.id,
      details: { before: { digestHour: 8, alert_at_risk: true }, after: { digestHour: 7, alert_at_risk: false } },
    })
  })
})
