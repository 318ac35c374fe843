import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db.ts'
import { createDevMailer } from '../../src/outbound/mailer.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { formPost } from '../support/auth.ts'
import { seedOrg, seedUser, testDatabaseUrl, testDb } from '../support/db.ts'
import { runDesk } from '../support/process.ts'

describe('desk login-link and desk mailbox', () => {
  let db: Db
  let org: Org
  let env: Record<string, string>
  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    env = { DATABASE_URL: testDatabaseUrl(), DESK_DEMO: '0', PUBLIC_URL: 'http://localhost:8787' }
  })
  afterAll(() => db.end())

  it('prints a working, single-use sign-in link for an existing user', async () => {
    const user = await seedUser(db, org.id, 'admin')
    const result = await runDesk(['login-link', user.email.toUpperCase()], env)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const match = /^http:\/\/localhost:8787\/sign-in\/confirm\?token=(\S+)\n$/.exec(result.stdout)
    expect(match).not.toBeNull()
    const token = decodeURIComponent(match![1]!)
    // Signed with the secret the CLI found in the database: the app (another process) accepts it.
    const app = createTestApp(db)
    expect((await app.request('/sign-in/confirm', formPost({ token }))).status).toBe(303)
    expect((await app.request('/sign-in/confirm', formPost({ token }))).status).toBe(400)
  })

  it('exits 2 with one line for an unknown user, and asks for --org when the address is in several', async () => {
    const unknown = await runDesk(['login-link', 'nobody@nowhere.test'], env)
    expect(unknown.code).toBe(2)
    expect(unknown.stdout).toBe('')
    expect(unknown.stderr.trim().split('\n')).toEqual(['desk login-link: no enabled user nobody@nowhere.test'])

    const email = `both-${randomBytes(4).toString('hex')}@example.test`
    const second = await seedOrg(db)
    await db`insert into app_users (org_id, email, name, role) values (${org.id}, ${email}, 'B', 'agent'), (${second.id}, ${email}, 'B', 'agent')`
    const ambiguous = await runDesk(['login-link', email], env)
    expect(ambiguous.code).toBe(2)
    expect(ambiguous.stderr).toMatch(/several organizations .*--org SLUG/)
    const chosen = await runDesk(['login-link', email, '--org', second.slug], env)
    expect(chosen.code).toBe(0)
    expect(chosen.stdout).toMatch(/\/sign-in\/confirm\?token=/)
  })

  it('prints the dev mailbox as JSON, newest first', async () => {
    const subject = `CLI mailbox ${randomBytes(4).toString('hex')}`
    const { id } = await createDevMailer(db).send({
      orgId: org.id,
      to: 'reader@example.test',
      subject,
      text: 'Hello from the dev transport',
    })
    const result = await runDesk(['mailbox', '--json'], env)
    expect(result.code).toBe(0)
    const mail = JSON.parse(result.stdout) as { id: string; to: string[]; subject: string; text: string; createdAt: string }[]
    const held = mail.find((m) => m.id === id)
    expect(held).toEqual({
      id,
      to: ['reader@example.test'],
      subject,
      text: 'Hello from the dev transport',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    })
    const times = mail.map((m) => m.createdAt)
    expect([...times].sort().reverse()).toEqual(times)
    const plain = await runDesk(['mailbox'], env)
    expect(plain.stdout).toContain(`Subject: ${subject}`)
  })
})
