import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db.ts'
import { createDevMailer } from '../../src/outbound/mailer.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { seedOrg, testDb } from '../support/db.ts'

describe('dev mailbox page', () => {
  let db: Db
  let org: Org
  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
  })
  afterAll(() => db.end())

  it('lists held mail newest first, links clickable and everything else escaped', async () => {
    const tag = randomBytes(4).toString('hex')
    const mailer = createDevMailer(db)
    await mailer.send({ orgId: org.id, to: 'first@example.test', subject: `Older ${tag}`, text: 'nothing here' })
    const { id } = await mailer.send({
      orgId: org.id,
      to: 'second@example.test',
      subject: `Newer ${tag} <b>`,
      text: 'Open http://localhost:8787/sign-in/confirm?token=abc.def&x=1 now <script>alert(1)</script> javascript:alert(1)',
    })
    const res = await createTestApp(db).request('/dev/mailbox', { headers: { accept: 'text/html' } })
    expect(res.status).toBe(200)
    const body = await res.text()
    expect(body.indexOf(`Newer ${tag}`)).toBeLessThan(body.indexOf(`Older ${tag}`))
    expect(body).toContain('<a href="http://localhost:8787/sign-in/confirm?token=abc.def&amp;x=1" rel="noreferrer">')
    expect(body).toContain(`Newer ${tag} &lt;b&gt;`)
    expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(body).not.toContain('href="javascript:')

    const one = await createTestApp(db).request(`/dev/mailbox/${id}`, { headers: { accept: 'text/html' } })
    expect(one.status).toBe(200)
    expect(await one.text()).toContain('second@example.test')
    expect((await createTestApp(db).request('/dev/mailbox/not-a-uuid')).status).toBe(404)
  })

  it('is not served when the desk is reachable from elsewhere', async () => {
    for (const env of [testEnv({ HOST: '0.0.0.0' }), testEnv({ PUBLIC_URL: 'https://desk.example.com' })]) {
      expect((await createTestApp(db, { env }).request('/dev/mailbox')).status).toBe(404)
    }
  })
})
