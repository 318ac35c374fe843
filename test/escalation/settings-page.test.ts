import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { defaultEscalationPolicies, loadEscalationPolicies } from '../../src/escalation/policy.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { arrangeCase } from '../support/digest.ts'
import { clockFrom, tickAt } from './support.ts'

describe('/admin/escalation: the chain per severity, admins only, audited, obeyed by the scan', () => {
  let db: Db
  let org: Org
  let app: ReturnType<typeof createTestApp>
  let admin: { id: string; email: string }
  let adminCookie: string
  const at = clockFrom()

  beforeAll(async () => {
    db = testDb()
    app = createTestApp(db)
    org = await seedOrg(db)
    admin = await seedUser(db, org.id, 'admin')
    adminCookie = await sessionCookie(db, { id: admin.id, orgId: org.id })
  })
  afterAll(async () => {
    await db.end()
  })

  /** The whole form with the defaults, then these fields changed. */
  const form = (changes: Record<string, string>) => {
    const fields: Record<string, string> = {}
    for (const [sev, p] of Object.entries(defaultEscalationPolicies)) {
      if (p.atRisk) fields[`${sev}.at_risk`] = 'on'
      if (p.cadence) fields[`${sev}.cadence`] = 'on'
      fields[`${sev}.approvers`] = p.approversAfterMinutes === null ? '' : String(p.approversAfterMinutes)
      fields[`${sev}.executives`] = p.executivesAfterMinutes === null ? '' : String(p.executivesAfterMinutes)
    }
    return { ...fields, ...changes }
  }

  it('shows the defaults with no configuration; agents and approvers are refused', async () => {
    for (const role of ['agent', 'approver'] as const) {
      const user = await seedUser(db, org.id, role)
      const cookie = await sessionCookie(db, { id: user.id, orgId: org.id })
      expect((await app.request('/admin/escalation', { headers: { cookie } })).status).toBe(403)
      expect((await app.request('/admin/escalation', formPost(form({}), { cookie }))).status).toBe(403)
    }
    const page = await (await app.request('/admin/escalation', { headers: { cookie: adminCookie } })).text()
    expect(page).toContain('name="SEV-1.executives"')
    expect(page).toMatch(/name="SEV-1\.executives"[^>]*value="30"/)
    expect(page).toMatch(/name="SEV-2\.executives"[^>]*value=""/)
    expect(page).toMatch(/name="SEV-1\.cadence" [^>]*checked/)
    expect(page).not.toMatch(/name="SEV-3\.cadence" [^>]*checked/)
    expect(page).toContain('None listed: the executives step has nobody to tell.')
  })

  it('refuses a bad delay and saves nothing; saves a good table, audited with before and after', async () => {
    const bad = await app.request('/admin/escalation', formPost(form({ 'SEV-2.approvers': '-5' }), { cookie: adminCookie }))
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('Minutes from 0 to 1440, or empty for off.')
    expect(await withOrg(db, org.id, (tx) => tx`select 1 from escalation_policies`)).toEqual([])

    const saved = await app.request(
      '/admin/escalation',
      formPost(form({ 'SEV-2.approvers': '10', 'SEV-2.executives': '60', 'SEV-4.at_risk': '' }), { cookie: adminCookie }),
    )
    expect(saved.status).toBe(200)
    const policies = await withOrg(db, org.id, (tx) => loadEscalationPolicies(tx))
    expect(policies['SEV-2']).toEqual({ atRisk: true, cadence: true, approversAfterMinutes: 10, executivesAfterMinutes: 60 })
    expect(policies['SEV-4'].atRisk).toBe(false)
    expect(policies['SEV-1']).toEqual(defaultEscalationPolicies['SEV-1'])
    const [audit] = await withOrg(db, org.id, (tx) => tx`select actor_id, details from audit_events where action = 'org.escalation_change'`)
    expect(audit!.actor_id).toBe(admin.id)
    expect(audit!.details.before['SEV-2'].approversAfterMinutes).toBe(0)
    expect(audit!.details.after['SEV-2'].approversAfterMinutes).toBe(10)
  })

  it('the scan follows the saved chain: SEV-2 approvers 10 minutes after the breach', async () => {
    const kase = await arrangeCase(db, org.id, {
      subject: 'Late SEV-2',
      severity: 'SEV-2',
      openedAt: at(0),
      firstResponseDueAt: at(60),
      nextDeadlineAt: at(60),
      nextAtRiskAt: at(30),
    })
    await tickAt(db, org.id, at(31)) // at risk: to the admin, nobody owns it
    expect((await tickAt(db, org.id, at(65))).map((c) => c.kind)).toEqual([])
    expect((await tickAt(db, org.id, at(71))).map((c) => c.kind)).toEqual(['approvers'])
    expect((await tickAt(db, org.id, at(121))).map((c) => [c.kind, c.status, c.alertKey.includes(kase.id)])).toEqual([
      ['executives', 'skipped', true],
    ])
  })
})
