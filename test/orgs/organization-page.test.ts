import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { insertOrg, type Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

// /admin/organization: an admin makes the desk the org's own (name, time zone, inbound
// addresses with the provider instructions filled in, domains, executives, sender and
// signature, approvers per severity and source), each form saved and audited on its own.

const page = (cookie: string) => ({ headers: { accept: 'text/html', cookie } })

describe('the organization page', () => {
  let db: Db
  let org: Org
  let domain: string
  let admin: { id: string; email: string; orgId: string }
  let approver: { id: string; email: string }
  let cookie: string
  const env = testEnv({
    PUBLIC_URL: 'https://desk.example.test',
    INBOUND_SECRET: 'a-long-inbound-secret-value',
    MAILGUN_SIGNING_KEY: 'key-secret-mailgun',
  })
  beforeAll(async () => {
    db = testDb()
    domain = `globex-${randomBytes(4).toString('hex')}.test`
    org = await insertOrg(db, {
      slug: `globex-${randomBytes(4).toString('hex')}`,
      name: 'Globex',
      inboundAddresses: [`escalations@${domain}`],
    })
    admin = { ...(await seedUser(db, org.id, 'admin')), orgId: org.id }
    approver = await seedUser(db, org.id, 'approver')
    cookie = await sessionCookie(db, admin)
  })
  afterAll(() => db.end())

  const app = () => createTestApp(db, { env })
  const post = (section: string, fields: Record<string, string>) =>
    app().request(`/admin/organization/${section}`, formPost(fields, { cookie }))
  const audits = (action: string) =>
    withOrg(
      db,
      org.id,
      (tx) => tx<{ actorId: string; details: Record<string, unknown> }[]>`
    select actor_id as "actorId", details from audit_events where action = ${action} order by seq`,
    )

  it('is for admins only', async () => {
    for (const role of ['agent', 'approver'] as const) {
      const other = await sessionCookie(db, { ...(await seedUser(db, org.id, role)), orgId: org.id })
      expect((await app().request('/admin/organization', page(other))).status).toBe(403)
      expect((await app().request('/admin/organization/inbound', formPost({ inbound: 'x@y.test' }, { cookie: other }))).status).toBe(403)
    }
    expect((await app().request('/admin/organization', { headers: { accept: 'text/html' } })).status).toBe(303)
  })

  it("shows how to receive mail for each inbound address, provider by provider, with this org's values and no secrets", async () => {
    const html = await (await app().request('/admin/organization', page(cookie))).text()
    for (const provider of ['raw', 'resend', 'postmark', 'mailgun', 'sendgrid', 'smtp', 'cloudflare'])
      expect(html).toContain(`data-provider="${provider}"`)
    expect(html).toContain(`https://desk.example.test/inbound/raw?org=${org.slug}`)
    expect(html).toContain(`target=&#39;/inbound/raw?org=${org.slug}&#39;`)
    expect(html).toContain(`match_recipient(&quot;^escalations(\\+.*)?@${domain.replace('.', '\\.')}$&quot;)`)
    expect(html).toContain('forward(&quot;https://desk.example.test/inbound/mailgun/mime&quot;)')
    expect(html).toContain(`Custom address escalations@${domain}`)
    expect(html).toContain('INBOUND_SECRET is set')
    expect(html).toContain('SENDGRID_INBOUND_TOKEN is not set')
    expect(html).not.toContain('a-long-inbound-secret-value')
    expect(html).not.toContain('key-secret-mailgun')
    expect(html).toContain('href="/admin/users"')
  })

  it('saves the name and time zone, the inbound addresses and the domains, audited with before and after', async () => {
    expect((await post('profile', { name: 'Globex Corp', timezone: 'europe/paris' })).status).toBe(303)
    expect((await post('inbound', { inbound: `escalations@${domain}\nCEO-Desk@${domain}` })).status).toBe(303)
    expect((await post('domains', { domains: `${domain}, globex.fr` })).status).toBe(303)
    const [row] = await db`select name, timezone, inbound_addresses, domains from orgs where id = ${org.id}`
    expect(row).toEqual({
      name: 'Globex Corp',
      timezone: 'Europe/Paris',
      inbound_addresses: [`escalations@${domain}`, `ceo-desk@${domain}`],
      domains: [domain, 'globex.fr'],
    })
    const updates = await audits('org.update')
    expect(updates.map((u) => u.details.changed)).toEqual([['name', 'timezone'], ['inboundAddresses'], ['domains']])
    expect(updates[1]).toEqual({
      actorId: admin.id,
      details: {
        changed: ['inboundAddresses'],
        before: { inboundAddresses: [`escalations@${domain}`] },
        after: { inboundAddresses: [`escalations@${domain}`, `ceo-desk@${domain}`] },
      },
    })
    const saved = await app().request('/admin/organization?saved=inbound', page(cookie))
    expect(await saved.text()).toContain('Saved the inbound addresses.')
  })

  it('refuses an address another org receives at without naming that org, and keeps what was typed', async () => {
    const other = await seedOrg(db)
    const taken = other.inboundAddresses[0]!.replace('@', '+x@').toUpperCase()
    const res = await post('inbound', { inbound: `escalations@${domain}\n${taken.replace('+X', '')}` })
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toContain(`${other.inboundAddresses[0]} is already an inbound address of another organization`)
    expect(html).not.toContain(`organization "${other.slug}"`)
    expect(html).not.toContain(other.name)
    expect(html).toContain(taken.replace('+X', ''))
    const bad = await post('domains', { domains: 'outlook.com' })
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('outlook.com is a public mail provider')
    const [row] = await db`select inbound_addresses, domains from orgs where id = ${org.id}`
    expect(row).toEqual({ inbound_addresses: [`escalations@${domain}`, `ceo-desk@${domain}`], domains: [domain, 'globex.fr'] })
  })

  it('keeps executives with name, title and send-as, and shows the From each kind of reply will carry', async () => {
    const res = await post('executives', {
      'email.new': `Hank@${domain}`,
      'name.new': 'Hank Scorpio',
      'title.new': 'CEO',
      'send_as.new': 'on',
    })
    expect(res.status).toBe(303)
    await post('executives', {
      'email.0': `hank@${domain}`,
      'name.0': 'Hank Scorpio',
      'title.0': 'CEO',
      'send_as.0': 'on',
      'email.new': `mindy@${domain}`,
      'name.new': 'Mindy',
      'title.new': 'COO',
    })
    const executives = await withOrg(db, org.id, (tx) => tx`select email, name, title, send_as from org_executives order by email`)
    expect(executives).toEqual([
      { email: `hank@${domain}`, name: 'Hank Scorpio', title: 'CEO', send_as: true },
      { email: `mindy@${domain}`, name: 'Mindy', title: 'COO', send_as: false },
    ])
    expect(
      (
        await post('sender', {
          reply_from: 'Globex Care <care@' + domain + '>',
          sender_name: 'Globex Care',
          signature: 'The Globex Care team',
        })
      ).status,
    ).toBe(303)
    const html = await (await app().request('/admin/organization', page(cookie))).text()
    expect(html).toContain(`<code>Globex Care &lt;care@${domain}&gt;</code>`)
    expect(html).toContain(`<code>Hank Scorpio &lt;hank@${domain}&gt;</code>`)
    expect(html).toContain(`<code>Mindy via Globex Corp &lt;care@${domain}&gt;</code>`)
    const removed = await post('executives', {
      'email.0': `hank@${domain}`,
      'remove.0': 'on',
      'email.1': `mindy@${domain}`,
      'name.1': 'Mindy',
      'title.1': 'COO',
    })
    expect(removed.status).toBe(303)
    expect((await withOrg(db, org.id, (tx) => tx`select email from org_executives`)).map((e) => e.email)).toEqual([`mindy@${domain}`])
    const drafting = await db`select settings->>'signature' as signature, settings->>'sender_name' as name from orgs where id = ${org.id}`
    expect(drafting[0]).toEqual({ signature: 'The Globex Care team', name: 'Globex Care' })
  })

  it('refuses a From that is not one mailbox', async () => {
    for (const from of ['care@a.test, spy@b.test', 'Care <care@a.test>\r\nBcc: spy@b.test', 'nobody']) {
      const res = await post('sender', { reply_from: from, sender_name: '', signature: '' })
      expect(res.status).toBe(422)
      expect(await res.text()).toMatch(/The sender .*write it as Acme Support &lt;support@acme.com&gt;/)
    }
    const [row] = await db`select reply_from from orgs where id = ${org.id}`
    expect(row!.reply_from).toBe(`Globex Care <care@${domain}>`)
  })

  it("saves approvers per severity and per source through the audited function, and refuses another org's user", async () => {
    const res = await app().request('/admin/organization/approvers', formPost({ 'approvers.source.lawyer': approver.id }, { cookie }))
    expect(res.status).toBe(303)
    const lists = await withOrg(db, org.id, (tx) => tx`select scope, value, user_id from approver_assignments`)
    expect(lists).toEqual([{ scope: 'source', value: 'lawyer', user_id: approver.id }])
    expect(await audits('org.approvers_change')).toEqual([
      { actorId: admin.id, details: { scope: 'source', value: 'lawyer', before: [], after: [approver.email] } },
    ])
    const html = await (await app().request('/admin/organization', page(cookie))).text()
    expect(html).toMatch(new RegExp(`name="approvers\\.source\\.lawyer" value="${approver.id}" checked=""`))

    const stranger = await seedUser(db, (await seedOrg(db)).id, 'approver')
    const refused = await app().request('/admin/organization/approvers', formPost({ 'approvers.severity.SEV-1': stranger.id }, { cookie }))
    expect(refused.status).toBe(422)
    expect(await withOrg(db, org.id, (tx) => tx`select count(*)::int as n from approver_assignments`)).toEqual([{ n: 1 }])
  })
})
