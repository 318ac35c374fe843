import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db.ts'
import { baseAddress, findOrgByRecipient, headerRecipients } from '../../src/intake/routing.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { buildEml, seedOrg, testDb } from '../support/db.ts'

describe('routing by recipient', () => {
  let db: Db
  let org: Org
  const domain = () => `${org.slug}.test`

  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
  })
  afterAll(() => db.end())

  it('understands plus-addressing and case', () => {
    expect(baseAddress('<Escalations+a1b2@Acme.COM>')).toBe('escalations@acme.com')
    expect(baseAddress('+weird@acme.com')).toBe('+weird@acme.com')
  })

  it('finds the org owning any of the addresses, trying them in order', async () => {
    expect((await findOrgByRecipient(db, ['someone@else.test', `ESCALATIONS+t0k3n@${domain()}`]))?.id).toBe(org.id)
    expect(await findOrgByRecipient(db, ['someone@else.test', 'not-an-address'])).toBeUndefined()
    expect(await findOrgByRecipient(db, [])).toBeUndefined()
  })

  it('routes nowhere when two orgs claim the same address, rather than guess', async () => {
    const shared = `shared-${randomBytes(4).toString('hex')}@both.test`
    await Promise.all([seedOrg(db, { inboundAddresses: [shared] }), seedOrg(db, { inboundAddresses: [shared] })])
    expect(await findOrgByRecipient(db, [shared])).toBeUndefined()
  })

  it('reads recipients from the header block only, most specific first', () => {
    const raw = buildEml({
      to: 'CEO <ceo@company.test>, "Ops, Team" <ops@company.test>',
      headers: ['Cc: legal@company.test', 'Delivered-To: escalations@company.test'],
      body: 'To: not-a-header@body.test',
    })
    expect(headerRecipients(raw)).toEqual(['escalations@company.test', 'ceo@company.test', 'ops@company.test', 'legal@company.test'])
  })

  it('reads 60 KB of recipient headers without an address at once (no pattern retried at every character)', () => {
    const raw = buildEml({ to: 'a'.repeat(30_000), headers: [`Cc: ${'x.'.repeat(15_000)}`, 'Delivered-To: escalations@company.test'] })
    const started = performance.now()
    expect(headerRecipients(raw)).toEqual(['escalations@company.test'])
    expect(Math.round(performance.now() - started)).toBeLessThan(100)
  })

  it('finds addresses between any separators, as before', () => {
    const raw = buildEml({ to: '<a@x.test>;b@y.test,(c@z.test) "d" <@bad> e@ f@@g.test', headers: ['Cc: a\u0000b@n.test'] })
    expect(headerRecipients(raw)).toEqual(['a@x.test', 'b@y.test', 'c@z.test', 'f@@g.test', 'b@n.test'])
  })
})
