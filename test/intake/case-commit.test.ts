import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { seedOrg, testDb } from '../support/db.ts'

// A new case's last statements run under the org row lock, so intake folds and pipelines them
// (src/intake/intake.ts, openCaseFromMail): what they write must still all be there.
const fixture = fileURLToPath(new URL('../fixtures/mail/synthetic/social-threat-ceo-forward.eml', import.meta.url))

describe('a case from mail commits everything its statements write', () => {
  let db: Db
  let org: Org
  beforeAll(async () => {
    db = testDb(4)
    org = await seedOrg(db, { executiveForwarders: ['ceo@example.com'] })
  })
  afterAll(() => db.end())

  it('the message keeps its forwarder, the raw row points at the case, its keys are stored', async () => {
    const outcome = await ingestMessage(db, { orgId: org.id, raw: new Uint8Array(await readFile(fixture)), provider: 'test' })
    expect(outcome.status).toBe('created')
    const row = await withOrg(db, org.id, async (tx) => {
      const [found] = await tx<{ forwardedBy: string[]; rawStatus: string; rawCase: string; caseId: string; keys: number }[]>`
        select m.forwarded_by as "forwardedBy", r.status as "rawStatus", r.case_id as "rawCase", c.id as "caseId",
               (select count(*)::int from case_keys k where k.case_id = c.id) as keys
        from cases c join messages m on m.case_id = c.id join inbound_raw r on r.id = m.raw_id
        where 'ESC-' || c.number = ${outcome.case}`
      return found!
    })
    expect(row.forwardedBy).toEqual(['ceo@example.com'])
    expect(row).toMatchObject({ rawStatus: 'processed', rawCase: row.caseId })
    expect(row.keys).toBeGreaterThan(0)
  })

  it('the SLA settings read before the number are the org’s own: its first-response target sets the deadline', async () => {
    const custom = await seedOrg(db, { executiveForwarders: ['ceo@example.com'] })
    const target = { firstResponseMinutes: 7, updateMinutes: null, resolutionMinutes: 700 }
    const policy = { 'SEV-1': target, 'SEV-2': target, 'SEV-3': target, 'SEV-4': target }
    await db`update orgs set sla_policy = ${db.json(policy)} where id = ${custom.id}`
    const outcome = await ingestMessage(db, { orgId: custom.id, raw: new Uint8Array(await readFile(fixture)), provider: 'test' })
    const [row] = await withOrg(
      db,
      custom.id,
      (tx) => tx<{ minutes: number }[]>`
      select extract(epoch from first_response_due_at - opened_at)::int / 60 as minutes from cases where 'ESC-' || number = ${outcome.case}`,
    )
    expect(row!.minutes).toBe(7)
  })
})
