// A new case takes its number last (issue 21, sql/00043): the case, its message and keys are
// written first and number_new_cases numbers it and appends its audit event just before commit.
// Numbers stay contiguous and unique under concurrent deliveries, a rolled-back delivery takes
// none, copies that race still make one case, and no case commits without its number.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyAuditChain } from '../../src/audit/audit.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { buildEml, seedOrg, testDb } from '../support/db.ts'

const bbb = fileURLToPath(new URL('../fixtures/mail/synthetic/bbb-complaint-notification.eml', import.meta.url))

describe('the case number is taken last', () => {
  let db: Db
  beforeAll(() => {
    db = testDb(12)
  })
  afterAll(() => db.end())

  const numbersOf = (org: Org) =>
    withOrg(db, org.id, async (tx) => (await tx<{ number: number }[]>`select number from cases order by number`).map((r) => r.number))

  it('twelve complaints at once: twelve cases numbered 1001 to 1012, each findable by its number, the audit chain intact', async () => {
    const org = await seedOrg(db)
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        ingestMessage(db, {
          orgId: org.id,
          raw: buildEml({ subject: `Complaint ${i}`, body: `Order ${i} never arrived, ${i}.` }),
          provider: 'test',
        }),
      ),
    )
    expect(outcomes.map((o) => o.status)).toEqual(Array(12).fill('created'))
    const expected = Array.from({ length: 12 }, (_, i) => 1001 + i)
    expect(await numbersOf(org)).toEqual(expected)
    expect(outcomes.map((o) => Number(o.case!.slice(4))).sort()).toEqual(expected)
    expect(await verifyAuditChain(db, org.id)).toEqual({ ok: true, events: 12 })
    // Each case.create event is on the case it names, and the search document names the number.
    const [row] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ audited: number; findable: number }[]>`
        select (select count(*)::int from audit_events e join cases c on c.id = e.case_id where e.action = 'case.create') as audited,
               (select count(*)::int from case_search s join cases c on c.id = s.case_id
                where s.head @@ to_tsquery('simple', 'esc-' || c.number)) as findable`,
    )
    expect(row).toEqual({ audited: 12, findable: 12 })
  })

  it('copies of one message at once roll back all but one: the next case takes the next number', async () => {
    const org = await seedOrg(db)
    const raw = buildEml({ messageId: `copies-${Date.now()}@customer.test` })
    const copies = await Promise.all(Array.from({ length: 6 }, () => ingestMessage(db, { orgId: org.id, raw, provider: 'test' })))
    expect(copies.map((o) => o.status).sort()).toEqual(['created', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate'])
    const next = await ingestMessage(db, { orgId: org.id, raw: buildEml(), provider: 'test' })
    expect(next).toMatchObject({ status: 'created', case: 'ESC-1002' })
    expect(await numbersOf(org)).toEqual([1001, 1002])
  })

  it('the same BBB complaint number in two notices at once: one case, the other notice threaded on it', async () => {
    const org = await seedOrg(db)
    const followUp = buildEml({
      from: 'BBB Complaints <noreply@bbb.org>',
      subject: 'BBB Complaint #18834521 - Business response due in 5 days',
      body: 'Complaint #18834521 is still awaiting your response.',
    })
    const first = new Uint8Array(await readFile(bbb))
    const [a, b] = await Promise.all([first, followUp].map((raw) => ingestMessage(db, { orgId: org.id, raw, provider: 'test' })))
    expect([a!.status, b!.status].sort()).toEqual(['created', 'threaded'])
    expect(a!.case).toBe(b!.case)
    expect(await numbersOf(org)).toEqual([1001])
  })

  it('no case commits without its number', async () => {
    const org = await seedOrg(db)
    await ingestMessage(db, { orgId: org.id, raw: buildEml(), provider: 'test' })
    // A copy of the case row, unnumbered, inserted outside createCases.
    const copy = withOrg(
      db,
      org.id,
      (tx) => tx`
        insert into cases
        select (jsonb_populate_record(null::cases, to_jsonb(c) || jsonb_build_object(
          'id', gen_random_uuid(), 'number', null, 'reply_token', md5(random()::text)))).*
        from cases c limit 1`,
    )
    await expect(copy).rejects.toMatchObject({ code: '23502' })
    expect(await numbersOf(org)).toEqual([1001])
  })
})
