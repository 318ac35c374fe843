import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { loadIntakeContext } from '../../src/orgs/intake-context.ts'
import { changeOrganization } from '../../src/orgs/organization.ts'
import { insertOrg } from '../../src/orgs/queries.ts'
import { seedOrg, testDb } from '../support/db.ts'

// What intake knows about an org, from one loader: its inbound addresses; its domains (the
// configured ones, those of its inbound addresses and of its users, never a public provider's);
// every user's address; its executives with name and title.

describe('the intake context of an organization', () => {
  let db: Db
  beforeAll(() => {
    db = testDb()
  })
  afterAll(() => db.end())

  it('holds the addresses, domains, team and executives the org is configured with', async () => {
    const id = randomBytes(4).toString('hex')
    const org = await insertOrg(db, { slug: `wayne-${id}`, name: 'Wayne Enterprises', inboundAddresses: [`Desk@wayne-${id}.test`] })
    await db`insert into app_users (org_id, email, name, role) values (${org.id}, ${`lucius@wayne-labs-${id}.test`}, 'Lucius', 'agent'),
             (${org.id}, ${`alfred.${id}@gmail.com`}, 'Alfred', 'agent')`
    await db`update app_users set disabled_at = now() where org_id = ${org.id} and name = 'Lucius'`
    const changed = await changeOrganization(
      db,
      org.id,
      {
        domains: [`wayne-${id}.de`],
        executives: [{ email: `bruce@wayne-${id}.test`, name: 'Bruce Wayne', title: 'Chairman' }, { email: `fox@wayne-${id}.test` }],
      },
      { kind: 'system', id: 'test' },
    )
    expect(changed).toMatchObject({ ok: true })

    const context = await withOrg(db, org.id, (tx) => loadIntakeContext(tx, org.id))
    expect(context).toEqual({
      name: 'Wayne Enterprises',
      inboundAddresses: [`desk@wayne-${id}.test`],
      domains: [`wayne-${id}.de`, `wayne-${id}.test`, `wayne-labs-${id}.test`],
      // A disabled user is still a colleague, never a customer.
      teamAddresses: [`alfred.${id}@gmail.com`, `lucius@wayne-labs-${id}.test`],
      executives: [{ email: `bruce@wayne-${id}.test`, name: 'Bruce Wayne', title: 'Chairman' }, { email: `fox@wayne-${id}.test` }],
    })
  })

  it("reads only the org's own rows, whoever else is configured", async () => {
    const other = await seedOrg(db, { executiveForwarders: ['ceo@other.test'] })
    const mine = await seedOrg(db)
    const context = await withOrg(db, mine.id, (tx) => loadIntakeContext(tx, mine.id))
    expect(context.executives).toEqual([])
    expect(context.inboundAddresses).toEqual(mine.inboundAddresses)
    const theirs = await withOrg(db, mine.id, (tx) => loadIntakeContext(tx, other.id)) // another org's id under this org's RLS
    expect(theirs).toEqual({ inboundAddresses: [], domains: [], teamAddresses: [], executives: [] })
  })
})
