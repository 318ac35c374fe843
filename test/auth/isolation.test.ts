import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSession } from '../../src/auth/sessions.ts'
import { issueLinkToken, linkSigningKey } from '../../src/auth/tokens.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { createDevMailer } from '../../src/outbound/mailer.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

const tables = ['sessions', 'link_tokens', 'dev_mailbox'] as const

describe('row-level security on the sign-in tables', () => {
  let db: Db
  let a: { id: string }
  let b: { id: string }
  beforeAll(async () => {
    db = testDb()
    a = await seedOrg(db)
    b = await seedOrg(db)
    const key = await linkSigningKey(db, undefined)
    for (const org of [a, b]) {
      const user = await seedUser(db, org.id, 'agent')
      await withOrg(db, org.id, async (tx) => {
        await createSession(tx, { orgId: org.id, userId: user.id })
        await issueLinkToken(tx, key, { orgId: org.id, userId: user.id, purpose: 'sign_in', ttlSeconds: 60 })
      })
      await createDevMailer(db).send({ orgId: org.id, to: 'x@example.test', subject: 's', text: 't' })
    }
  })
  afterAll(() => db.end())

  it.each(tables)('org A sees only its own %s rows', async (table) => {
    const orgs = await withOrg(db, a.id, (tx) => tx.unsafe(`select distinct org_id::text as org from ${table}`))
    expect(orgs.map((r) => r.org)).toEqual([a.id])
  })

  it('org A cannot write sign-in rows into org B', async () => {
    await expect(
      withOrg(
        db,
        a.id,
        (tx) => tx`insert into dev_mailbox (org_id, to_addresses, from_address, subject, text_body)
      values (${b.id}, ${['x@example.test']}, 'f', 's', 't')`,
      ),
    ).rejects.toThrow(/row-level security/)
  })

  it("org A cannot revoke org B's sessions", async () => {
    const changed = await withOrg(db, a.id, (tx) => tx`update sessions set revoked_at = now() where org_id = ${b.id} returning id`)
    expect(changed).toHaveLength(0)
  })

  it('desk_app cannot read the signing secret or the rate-limit counters', async () => {
    for (const table of ['app_secrets', 'link_request_limits', 'sign_in_mail_budget', 'sign_in_devices']) {
      await expect(withOrg(db, a.id, (tx) => tx.unsafe(`select * from ${table}`))).rejects.toThrow(/permission denied/)
    }
  })
})
