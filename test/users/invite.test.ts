import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { insertOrg, type Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedUser, testDb } from '../support/db.ts'

// Adding a user invites them: one mail naming the organization and who invited them, with a
// single-use sign-in link that works (and works once). Admins can send a fresh one.

describe('inviting a user by email', () => {
  let db: Db
  let org: Org
  let admin: { id: string; email: string; orgId: string }
  let cookie: string
  const env = testEnv({ PUBLIC_URL: 'https://desk.example.test' })
  beforeAll(async () => {
    db = testDb()
    org = await insertOrg(db, {
      slug: `initech-${randomBytes(4).toString('hex')}`,
      name: 'Initech',
      inboundAddresses: [`escalations@initech-${randomBytes(4).toString('hex')}.test`],
    })
    admin = { ...(await seedUser(db, org.id, 'admin')), orgId: org.id }
    await db`update app_users set name = 'Bill Lumbergh' where id = ${admin.id}`
    cookie = await sessionCookie(db, admin)
  })
  afterAll(() => db.end())

  const app = () => createTestApp(db, { env })
  const mailTo = (email: string) =>
    withOrg(
      db,
      org.id,
      (tx) => tx<{ subject: string; text: string; html: string }[]>`
    select subject, text_body as text, html_body as html from dev_mailbox where ${email} = any(to_addresses) order by created_at`,
    )
  const linkIn = (text: string) => /https:\/\/desk\.example\.test\/sign-in\/confirm\?token=([\w.-]+)/.exec(text)?.[1]

  it('mails the new user a link that names the org, signs them in once, and is audited', async () => {
    const email = `peter-${randomBytes(3).toString('hex')}@initech.test`
    const added = await app().request('/admin/users', formPost({ email, name: 'Peter Gibbons', role: 'approver' }, { cookie }))
    expect(added.status).toBe(303)
    const [mail, ...more] = await mailTo(email)
    expect(more).toHaveLength(0)
    expect(mail!.subject).toBe('You are invited to Initech on Escalation Desk')
    expect(mail!.text).toContain('Bill Lumbergh added you to Initech on Escalation Desk as an approver')
    expect(mail!.text).toContain('expires in 72 hours')
    expect(mail!.html).toContain('Sign in to Initech')
    const token = linkIn(mail!.text)!
    expect(token).toBeTruthy()

    const first = await app().request('/sign-in/confirm', formPost({ token }))
    expect(first.status).toBe(303)
    expect(first.headers.get('set-cookie')).toMatch(/desk_session=/)
    const second = await app().request('/sign-in/confirm', formPost({ token }))
    expect(second.status).toBe(400)

    const [user] = await db`select id from app_users where org_id = ${org.id} and email = ${email}`
    const events = await withOrg(
      db,
      org.id,
      (tx) =>
        tx`select actor_id, details->>'email' as email from audit_events where action = 'user.invite' and details->>'userId' = ${user!.id}`,
    )
    expect(events).toEqual([{ actor_id: admin.id, email }])
  })

  it('sends a fresh invitation on request, never to a disabled user', async () => {
    const user = await seedUser(db, org.id, 'agent')
    const sent = await app().request(`/admin/users/${user.id}/invite`, formPost({}, { cookie, 'hx-request': 'true' }))
    expect(sent.status).toBe(200)
    expect(await sent.text()).toContain(`Invitation sent to ${user.email}`)
    expect(await mailTo(user.email)).toHaveLength(1)
    await withOrg(db, org.id, (tx) => tx`select disable_app_user(${admin.id}, ${user.id})`)
    const refused = await app().request(`/admin/users/${user.id}/invite`, formPost({}, { cookie }))
    expect(refused.status).toBe(422)
    expect(await mailTo(user.email)).toHaveLength(1)
    expect(
      (
        await app().request(
          `/admin/users/${randomBytes(16)
            .toString('hex')
            .replace(/(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-')}/invite`,
          formPost({}, { cookie }),
        )
      ).status,
    ).toBe(404)
  })

  it('names the org in the approval invitation too', async () => {
    const { approvalInviteMail } = await import('../../views/mail/approval-invite.tsx')
    const mail = await approvalInviteMail({
      approver: { name: 'Peter', email: 'p@initech.test' },
      requester: { name: 'Bill', email: 'b@initech.test' },
      kase: { label: 'ESC-1001', subject: 'TPS reports' },
      orgName: 'Initech',
      url: 'https://desk.example.test/approve?token=x',
      expiresAt: new Date(),
    })
    expect(mail.subject).toBe('Approval needed (Initech): ESC-1001 — TPS reports')
  })
})
