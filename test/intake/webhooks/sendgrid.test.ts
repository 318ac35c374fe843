import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../../src/db.ts'
import type { Org } from '../../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../../support/app.ts'
import { buildEml, seedOrg, testDb } from '../../support/db.ts'
import { countFor, messageOf, multipart } from '../../support/inbound.ts'

const token = randomBytes(16).toString('hex')

describe('POST /inbound/sendgrid', () => {
  let db: Db
  let org: Org
  let app: ReturnType<typeof createTestApp>
  const to = () => `escalations@${org.slug}.test`
  const post = (fields: Record<string, string | Uint8Array>, query = `?token=${token}`) => {
    const { body, contentType } = multipart(fields)
    return app.request(`/inbound/sendgrid${query}`, { method: 'POST', body, headers: { 'content-type': contentType } })
  }

  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    app = createTestApp(db, { env: testEnv({ SENDGRID_INBOUND_TOKEN: token }) })
  })
  afterAll(() => db.end())

  it('takes the raw MIME from the email field and routes by the envelope (a Bcc to us)', async () => {
    const raw = buildEml({ to: 'ceo@customer-facing.test', subject: 'Bcc to the desk' })
    const envelope = JSON.stringify({ to: [to()], from: 'pat@customer.test' })
    const res = await post({ email: raw, envelope, to: 'ceo@customer-facing.test', from: 'pat@customer.test' })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body).toEqual({ status: 'created', case: expect.stringMatching(/^ESC-\d+$/) })
    expect((await messageOf(db, org.id, body.case))?.subject).toBe('Bcc to the desk')
  })

  it('refuses a missing or wrong token with 401, storing nothing', async () => {
    const raw = buildEml({ to: to() })
    const before = await countFor(db, org.id)
    for (const query of ['', '?token=', `?token=${token.slice(0, -1)}`, `?token=${token}0`]) {
      expect((await post({ email: raw }, query)).status).toBe(401)
    }
    expect(await countFor(db, org.id)).toEqual(before)
  })

  it('answers a retried post with duplicate, not a second case', async () => {
    const raw = buildEml({ to: to() })
    const first = await (await post({ email: raw })).json()
    const again = await (await post({ email: raw })).json()
    expect(again).toEqual({ status: 'duplicate', case: first.case })
  })

  it('explains a parse setting without raw MIME with 400', async () => {
    const res = await post({ text: 'parsed only', subject: 'x' })
    expect(res.status).toBe(400)
    expect((await res.json()).error.message).toMatch(/raw, full MIME/)
  })
})
