import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { buildEml, seedOrg, testDb } from '../support/db.ts'

const countFor = async (db: Db, orgId: string) =>
  withOrg(db, orgId, async (tx) => {
    const [row] = await tx`
      select (select count(*)::int from cases) as cases, (select count(*)::int from messages) as messages,
             (select count(*)::int from audit_events) as audit, (select count(*)::int from inbound_raw) as raw,
             (select count(*)::int from jobs) as jobs`
    return row!
  })

describe('intake slice', () => {
  let db: Db
  let org: Org

  beforeAll(async () => {
    db = testDb(8)
    org = await seedOrg(db)
  })
  afterAll(() => db.end())

  it('turns a raw email into a case with its sender, subject, message, audit event and draft job', async () => {
    const outcome = await ingestMessage(db, {
      orgId: org.id,
      raw: buildEml({ from: 'Dana Reyes <Dana@Customer.test>', subject: 'Refund ignored for 3 weeks' }),
      provider: 'test',
    })
    expect(outcome).toMatchObject({ status: 'created', case: expect.stringMatching(/^ESC-\d+$/) })
    const [kase] = await withOrg(
      db,
      org.id,
      (tx) => tx`
      select c.subject, c.customer_email, c.customer_name, c.status, r.status as raw_status, r.case_id = c.id as linked,
             (select action from audit_events a where a.case_id = c.id) as action,
             (select kind from jobs j where j.payload->>'caseId' = c.id::text) as job
      from cases c join inbound_raw r on r.id = ${outcome.rawId}
      where 'ESC-' || c.number = ${outcome.case}`,
    )
    expect(kase).toEqual({
      subject: 'Refund ignored for 3 weeks',
      customer_email: 'dana@customer.test',
      customer_name: 'Dana Reyes',
      status: 'new',
      raw_status: 'processed',
      linked: true,
      action: 'case.create',
      job: 'draft',
    })
  })

  it('a second delivery of the same Message-ID creates nothing, even when concurrent', async () => {
    const raw = buildEml({ messageId: `same-${Date.now()}@customer.test` })
    const before = await countFor(db, org.id)
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => ingestMessage(db, { orgId: org.id, raw, provider: 'test' })))
    expect(outcomes.filter((o) => o.status === 'created')).toHaveLength(1)
    expect(new Set(outcomes.map((o) => o.case)).size).toBe(1)
    const after = await countFor(db, org.id)
    expect(after.cases - before.cases).toBe(1)
    expect(after.messages - before.messages).toBe(1)
    expect(after.audit - before.audit).toBe(1)
    // A delivery that races the first keeps its bytes; one that comes after the first is on a case
    // is answered `duplicate` from that case, with no copy of its own. How many raced is timing.
    const kept = after.raw - before.raw
    expect(kept).toBeGreaterThanOrEqual(1)
    expect(kept).toBeLessThanOrEqual(6)
    expect(
      outcomes.filter((o) => o.status === 'duplicate').every((o) => o.case === outcomes.find((x) => x.status === 'created')!.case),
    ).toBe(true)
  })

  it('without a Message-ID, byte-identical redelivery is still recognised', async () => {
    const raw = buildEml({ messageId: null, subject: `No id ${Date.now()}` })
    const first = await ingestMessage(db, { orgId: org.id, raw, provider: 'test' })
    const second = await ingestMessage(db, { orgId: org.id, raw, provider: 'test' })
    expect(first.status).toBe('created')
    expect(second).toMatchObject({ status: 'duplicate', case: first.case })
  })

  it('a failure after the audit insert leaves neither the case nor the audit event, but keeps the raw mail', async () => {
    const victim = await seedOrg(db)
    // Make the last statement of the intake transaction fail, for this org only.
    await db.unsafe(`
      create or replace function fail_jobs_${victim.id.replaceAll('-', '')}() returns trigger language plpgsql as $$
      begin raise exception 'injected failure'; end $$;
      create trigger fail_jobs_${victim.id.replaceAll('-', '')} before insert on jobs
        for each row when (new.org_id = '${victim.id}') execute function fail_jobs_${victim.id.replaceAll('-', '')}();`)
    try {
      await expect(ingestMessage(db, { orgId: victim.id, raw: buildEml(), provider: 'test' })).rejects.toThrow(/injected failure/)
      expect(await countFor(db, victim.id)).toEqual({ cases: 0, messages: 0, audit: 0, raw: 1, jobs: 0 })
    } finally {
      await db.unsafe(`drop trigger fail_jobs_${victim.id.replaceAll('-', '')} on jobs`)
    }
  })
})
