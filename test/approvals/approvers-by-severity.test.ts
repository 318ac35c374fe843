import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decide } from '../../src/approvals/decide.ts'
import { requestApproval } from '../../src/approvals/requests.ts'
import { linkSigningKey } from '../../src/auth/tokens.ts'
import type { Source } from '../../src/cases/terms.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { setApprovers } from '../../src/orgs/approvers.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { testEnv } from '../support/app.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { seedDraft } from '../support/drafts.ts'
import { insertMetricCase } from '../support/metrics.ts'

// Approvers per severity and per source: a case goes to the approvers listed for its source
// (lawyer letters to the legally trained), else to those listed for its severity, else to every
// approver. Only they can approve it, whatever code path inserts the approval, and only an
// active admin changes the lists, audited.

describe('approvers listed per severity and per source', () => {
  let db: Db
  let org: Org
  let admin: { id: string; email: string }
  let legal: { id: string; email: string }
  let exec: { id: string; email: string }
  let other: { id: string; email: string }
  let agent: { id: string }
  const env = testEnv()
  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    admin = await seedUser(db, org.id, 'admin')
    legal = await seedUser(db, org.id, 'approver')
    exec = await seedUser(db, org.id, 'approver')
    other = await seedUser(db, org.id, 'approver')
    agent = await seedUser(db, org.id, 'agent')
  })
  afterAll(() => db.end())

  const list = (scope: 'severity' | 'source', value: string, users: { id: string }[]) =>
    withOrg(db, org.id, (tx) => setApprovers(tx, admin.id, { scope, value, userIds: users.map((u) => u.id) }))

  async function draftedCase(severity: 'SEV-1' | 'SEV-2' | 'SEV-3', source: Source = 'direct') {
    const kase = await insertMetricCase(db, org.id, {
      openedAt: new Date().toISOString(),
      severity,
      source,
      customerEmail: 'pat@customer.test',
    })
    const draft = await seedDraft(db, org.id, kase.id)
    return { kase, draft }
  }
  async function asked(caseId: string) {
    const key = await linkSigningKey(db, env.LINK_SECRET)
    const { invites } = await withOrg(db, org.id, (tx) => requestApproval(tx, { env, key }, org.id, caseId, agent))
    return invites.map((i) => i.email).sort()
  }

  it('asks only the approvers listed for the case severity, and every approver where nothing is listed', async () => {
    await list('severity', 'SEV-1', [exec])
    expect(await asked((await draftedCase('SEV-1')).kase.id)).toEqual([exec.email])
    expect(await asked((await draftedCase('SEV-3')).kase.id)).toEqual([admin.email, legal.email, exec.email, other.email].sort())
  })

  it("the source's list wins over the severity's: a SEV-1 lawyer letter goes to legal only", async () => {
    await list('source', 'lawyer', [legal])
    expect(await asked((await draftedCase('SEV-1', 'lawyer')).kase.id)).toEqual([legal.email])
  })

  it('the database refuses an approval by an approver not on the list, by any code path', async () => {
    const { kase, draft } = await draftedCase('SEV-2', 'lawyer')
    const viaApp = await withOrg(db, org.id, (tx) =>
      decide(tx, {
        orgId: org.id,
        caseId: kase.id,
        draftId: draft.id,
        approver: { id: other.id, role: 'approver' },
        decision: 'approved',
        via: 'portal',
        messageIdDomain: 'example.com',
      }),
    ).catch((e: Error) => e)
    expect(String((viaApp as Error).message)).toMatch(/refused/)
    // Straight into the table as the application role, with a correct hash: still refused.
    const direct = await withOrg(
      db,
      org.id,
      (tx) => tx`
      insert into approvals (org_id, case_id, draft_id, content_hash, from_address, approver_id, decision, via)
      select d.org_id, d.case_id, d.id, reply_content_hash(d.to_emails, d.subject, d.body, 'Desk <desk@example.com>'),
             'Desk <desk@example.com>', ${other.id}, 'approved', 'portal' from drafts d where d.id = ${draft.id}`,
    ).catch((e: Error) => e)
    expect((direct as Error).message).toMatch(/approvers listed for its source or severity/)
    // The listed approver can.
    const ok = await withOrg(db, org.id, (tx) =>
      decide(tx, {
        orgId: org.id,
        caseId: kase.id,
        draftId: draft.id,
        approver: { id: legal.id, role: 'approver' },
        decision: 'approved',
        via: 'portal',
        messageIdDomain: 'example.com',
      }),
    )
    expect(ok).toMatchObject({ ok: true, decision: 'approved' })
  })

  it('a list whose approvers are all gone stops the request with a sentence that says how to fix it', async () => {
    const gone = await seedUser(db, org.id, 'approver')
    await list('source', 'regulator', [gone])
    await withOrg(db, org.id, (tx) => tx`select disable_app_user(${admin.id}, ${gone.id})`)
    const { kase } = await draftedCase('SEV-3', 'regulator')
    await expect(asked(kase.id)).rejects.toThrow(/no longer active approvers.*Organization page/)
  })

  it('only an active admin changes the lists, through set_approvers, audited with before and after', async () => {
    const asApp = await withOrg(
      db,
      org.id,
      (tx) => tx`insert into approver_assignments (org_id, scope, value, user_id) values (${org.id}, 'severity', 'SEV-4', ${other.id})`,
    ).catch((e: { code?: string }) => e)
    expect((asApp as { code?: string }).code).toBe('42501')
    const byApprover = await withOrg(db, org.id, (tx) =>
      setApprovers(tx, exec.id, { scope: 'severity', value: 'SEV-4', userIds: [exec.id] }),
    ).catch((e: { code?: string }) => e)
    expect((byApprover as { code?: string }).code).toBe('42501')
    const agentListed = await withOrg(db, org.id, (tx) =>
      setApprovers(tx, admin.id, { scope: 'severity', value: 'SEV-4', userIds: [agent.id] }),
    ).catch((e: { code?: string }) => e)
    expect((agentListed as { code?: string }).code).toBe('23514')

    expect(await list('severity', 'SEV-2', [exec, other])).toBe(true)
    expect(await list('severity', 'SEV-2', [other, exec])).toBe(false) // the same list: nothing to record
    expect(await list('severity', 'SEV-2', [exec])).toBe(true)
    const events = await withOrg(
      db,
      org.id,
      (tx) => tx<{ actorId: string; details: Record<string, unknown> }[]>`
      select actor_id as "actorId", details from audit_events where action = 'org.approvers_change' and details->>'value' = 'SEV-2' order by seq`,
    )
    expect(events).toHaveLength(2)
    expect(events[1]).toEqual({
      actorId: admin.id,
      details: { scope: 'severity', value: 'SEV-2', before: [exec.email, other.email].sort(), after: [exec.email] },
    })
  })
})
