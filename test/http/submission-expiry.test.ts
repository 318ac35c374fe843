// Expired double-submit keys (sql/00021) are deleted by the scheduler's tick, for every org,
// whether or not their user ever posts again; keys still in their day stay.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db.ts'
import { deleteExpiredSubmissions } from '../../src/http/idempotency.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

describe('expired submission keys', () => {
  let db: Db
  beforeAll(() => {
    db = testDb()
  })
  afterAll(() => db.end())

  it('go, a day after they were claimed; fresh ones stay', async () => {
    const org = await seedOrg(db)
    const user = await seedUser(db, org.id, 'agent')
    const key = () => randomBytes(12).toString('base64url')
    const [old, fresh] = [key(), key()]
    await db`insert into form_submissions (org_id, user_id, key, method, path, expires_at) values
      (${org.id}, ${user.id}, ${old}, 'POST', '/cases', now() - interval '1 minute'),
      (${org.id}, ${user.id}, ${fresh}, 'POST', '/cases', now() + interval '1 day')`
    while ((await deleteExpiredSubmissions(db, 100)) > 0);
    const left = await db<{ key: string }[]>`select key from form_submissions where org_id = ${org.id}`
    expect(left.map((r) => r.key)).toEqual([fresh])
  })
})
