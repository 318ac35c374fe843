import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requestApproval } from '../../src/approvals/requests.ts'
import { linkSigningKey } from '../../src/auth/tokens.ts'
import { insertMetricCase } from '../support/metrics.ts'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { testEnv } from '../support/app.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { seedDraft } from '../support/drafts.ts'

// An org's settings may name, per severity, the only approvers to ask (approvers_by_severity);
// without it, or with a value that is not a list of addresses, every approver is asked.

describe('approvers listed per severity', () => {
  let db: Db
  let org: Org
  let first: { id: string; email: string }
  let second: { id: string; email: string }
  let agent: { id: string }
  const env = testEnv()
  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    first = await seedUser(db, org.id, 'approver')
    second = await seedUser(db, org.id, 'approver')
    agent = await seedUser(db, org.id, 'agent')
  })
  afterAll(() => db.end())

  async function askFor(severity: 'SEV-1' | 'SEV-2', settings: unknown) {
    await db`update orgs set settings = settings - 'approvers_by_severity' || ${db.json({ approvers_by_severity: settings } as never)} where id = ${org.id}`
    const kase = await insertMetricCase(db, org.id, { openedAt: new Date().toISOString(), severity, customerEmail: 'pat@customer.test' })
    await seedDraft(db, org.id, kase.id)
    const key = await linkSigningKey(db, env.LINK_SECRET)
    const { invites } = await withOrg(db, org.id, (tx) => requestApproval(tx, { env, key }, org.id, kase.id, agent))
    return invites.map((i) => i.email).sort()
  }

  it('asks only the approvers listed for the case severity', async () => {
    expect(await askFor('SEV-1', { 'SEV-1': [first.email.toUpperCase()] })).toEqual([first.email])
  })

  it('asks every approver at a severity with no list, or when the setting is malformed', async () => {
    const everyone = [first.email, second.email].sort()
    expect(await askFor('SEV-2', { 'SEV-1': [first.email] })).toEqual(everyone)
    expect(await askFor('SEV-2', { 'SEV-2': first.email })).toEqual(everyone) // a string, not a list
  })
})
