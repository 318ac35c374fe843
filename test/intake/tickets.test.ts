import { createHmac } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { withOrg } from '../../src/db.ts'
import { signHmacHex } from '../../src/intake/webhooks/signing.ts'
import { zendeskBody } from '../../src/intake/tickets/setup.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

const db = testDb()
const app = createTestApp(db)
afterAll(() => db.end())

const severityFields = { map_urgent: 'SEV-2', map_high: 'SEV-3', map_normal: 'SEV-4', map_low: 'SEV-4' }

/** An org with the helpdesk connected through the settings page; returns the secret it posts with. */
async function connected(provider: string, given = '') {
  const org = await seedOrg(db)
  const admin = await seedUser(db, org.id, 'admin')
  const cookie = await sessionCookie(db, { id: admin.id, orgId: org.id })
  const res = await app.request('/admin/helpdesk', formPost({ provider, secret: given, ...severityFields }, { cookie }))
  expect(res.status).toBe(200)
  const html = await res.text()
  const secret = given || /<pre class="mail-text">([A-Za-z0-9_-]{20,})<\/pre>/.exec(html)?.[1]
  expect(secret).toBeTruthy()
  return { org, cookie, secret: secret! }
}

const target = (slug: string, provider: string) => `/inbound/ticket?org=${slug}&provider=${provider}`
const post = async (slug: string, provider: string, body: string, headers: Record<string, string>) =>
  app.request(target(slug, provider), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })

/** The trigger body the settings page recommends, with Zendesk's placeholders filled in as Zendesk does. */
function zendeskTicket(fields: Partial<Record<'id' | 'title' | 'description' | 'priority', string>> = {}) {
  const values: Record<string, string> = {
    'ticket.id': fields.id ?? '4411',
    'ticket.title': fields.title ?? 'Refund refused after three requests',
    'ticket.description': fields.description ?? 'I was charged twice and nobody answers.',
    'ticket.link': 'https://acme.zendesk.com/agent/tickets/4411',
    'ticket.priority': fields.priority ?? 'Urgent',
    'ticket.requester.name': 'Pat Customer',
    'ticket.requester.email': 'Pat@Customer.test',
  }
  return zendeskBody.replace(/\{\{([a-z.]+)\}\}/g, (_, name: string) => JSON.stringify(values[name]).slice(1, -1))
}

function zendeskHeaders(secret: string, body: string, at = new Date()) {
  const timestamp = at.toISOString()
  const signature = createHmac('sha256', secret)
    .update(timestamp + body)
    .digest('base64')
  return { 'x-zendesk-webhook-signature': signature, 'x-zendesk-webhook-signature-timestamp': timestamp }
}

async function caseOf(orgId: string, label: string) {
  const [row] = await withOrg(
    db,
    orgId,
    (tx) => tx<{ id: string; severity: string; severityReasons: string[]; externalRef: string; customerEmail: string; source: string }[]>`
      select id, severity, severity_reasons as "severityReasons", external_ref as "externalRef", customer_email as "customerEmail", source
      from cases where 'ESC-' || number = ${label}`,
  )
  return row!
}

describe('POST /inbound/ticket', () => {
  it('opens a case from a Zendesk trigger, once: the link back, the priority as severity, audited', async () => {
    const { org, cookie, secret } = await connected('zendesk', 'zd-signing-secret-0123456789')
    const body = zendeskTicket()
    const res = await post(org.slug, 'zendesk', body, zendeskHeaders(secret, body))
    expect(res.status).toBe(200)
    const outcome = (await res.json()) as { status: string; case: string }
    expect(outcome.status).toBe('created')
    const kase = await caseOf(org.id, outcome.case)
    expect(kase).toMatchObject({ severity: 'SEV-2', externalRef: 'Zendesk #4411', customerEmail: 'pat@customer.test', source: 'direct' })
    // Urgent suggests SEV-2; "charged twice" is only SEV-3 by the rubric, so the priority stands.
    expect(kase.severityReasons).toEqual(["the Zendesk ticket's priority is urgent (SEV-2)"])
    const [note] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ text: string }[]>`select text_body as text from messages where case_id = ${kase.id}`,
    )
    expect(note!.text).toContain('Zendesk ticket 4411: https://acme.zendesk.com/agent/tickets/4411')
    const page = await (await app.request(`/cases/${kase.id}`, { headers: { cookie } })).text()
    expect(page).toContain('href="https://acme.zendesk.com/agent/tickets/4411"')
    const [audit] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ details: Record<string, unknown> }[]>`
      select details from audit_events where case_id = ${kase.id} and action = 'case.create'`,
    )
    expect(audit!.details).toMatchObject({ via: 'helpdesk', provider: 'zendesk', ticketId: '4411' })

    // The trigger fires again (a retry, the ticket updated): the same case, nothing new.
    const again = zendeskTicket({ title: 'Refund refused (updated)' })
    const second = await post(org.slug, 'zendesk', again, zendeskHeaders(secret, again))
    expect(await second.json()).toEqual({ status: 'duplicate', case: outcome.case })
    const [count] = await withOrg(db, org.id, (tx) => tx<{ n: number }[]>`select count(*)::int as n from cases`)
    expect(count!.n).toBe(1)
  })

  it('maps Urgent to SEV-2 and lets the ticket text raise it, never lower it', async () => {
    const { org, secret } = await connected('zendesk', 'zd-signing-secret-0123456789')
    const outage = zendeskTicket({
      id: '9001',
      priority: 'Low',
      title: 'Checkout down',
      description: 'Our online shop checkout is down and all 40 stores cannot take payments, we have lost sales all morning.',
    })
    const first = (await (await post(org.slug, 'zendesk', outage, zendeskHeaders(secret, outage))).json()) as { case: string }
    expect((await caseOf(org.id, first.case)).severity).toBe('SEV-1')
    const minor = zendeskTicket({ id: '9002', priority: 'Urgent', title: 'Invoice copy', description: 'Can you resend the invoice?' })
    const second = (await (await post(org.slug, 'zendesk', minor, zendeskHeaders(secret, minor))).json()) as { case: string }
    expect((await caseOf(org.id, second.case)).severity).toBe('SEV-2')
  })

  it('refuses a forged Zendesk signature, a changed body and a stale timestamp (401)', async () => {
    const { org, secret } = await connected('zendesk', 'zd-signing-secret-0123456789')
    const body = zendeskTicket()
    const forged = await post(org.slug, 'zendesk', body, zendeskHeaders('not-the-secret', body))
    expect(forged.status).toBe(401)
    const changed = await post(org.slug, 'zendesk', body.replace('4411', '4412'), zendeskHeaders(secret, body))
    expect(changed.status).toBe(401)
    const stale = await post(org.slug, 'zendesk', body, zendeskHeaders(secret, body, new Date(Date.now() - 10 * 60_000)))
    expect(stale.status).toBe(401)
    expect(((await stale.json()) as { error: { message: string } }).error.message).toContain('5 minutes')
    const unsigned = await post(org.slug, 'zendesk', body, {})
    expect(unsigned.status).toBe(401)
    const [count] = await withOrg(db, org.id, (tx) => tx<{ n: number }[]>`select count(*)::int as n from cases`)
    expect(count!.n).toBe(0)
  })

  it("checks another org's post against this org's secret: the other org's signature opens nothing here", async () => {
    const a = await connected('zendesk', 'secret-of-org-a-0123456789')
    const b = await connected('zendesk', 'secret-of-org-b-0123456789')
    const body = zendeskTicket()
    expect((await post(a.org.slug, 'zendesk', body, zendeskHeaders(b.secret, body))).status).toBe(401)
    // Not connected for this helpdesk, or no such org: the same refusal.
    expect((await post(a.org.slug, 'freshdesk', body, { 'x-desk-token': 'x' })).status).toBe(401)
    expect((await post('no-such-org', 'zendesk', body, zendeskHeaders(a.secret, body))).status).toBe(401)
  })

  it('verifies Help Scout (base64 HMAC-SHA1) and opens a case only for a conversation tagged escalate', async () => {
    const { org, secret } = await connected('helpscout')
    expect(secret.length).toBeLessThanOrEqual(40)
    const conversation = (tags: string[]) =>
      JSON.stringify({
        id: 77001,
        number: 512,
        subject: 'Still no refund',
        preview: 'I was charged twice…',
        primaryCustomer: { first: 'Ana', last: 'Lima', email: 'ana@customer.test' },
        tags: tags.map((tag, i) => ({ id: i, tag })),
        _links: { web: { href: 'https://secure.helpscout.net/conversation/77001/512' } },
        _embedded: { threads: [{ type: 'customer', body: '<p>I was charged <b>twice</b> and nobody answers.</p>' }] },
      })
    const sign = (body: string, key = secret) => ({ 'x-helpscout-signature': createHmac('sha1', key).update(body).digest('base64') })
    const untagged = conversation([])
    expect(await (await post(org.slug, 'helpscout', untagged, sign(untagged))).json()).toMatchObject({ status: 'ignored', case: null })
    const tagged = conversation(['escalate', 'high'])
    expect((await post(org.slug, 'helpscout', tagged, sign(tagged, 'wrong'))).status).toBe(401)
    const res = await post(org.slug, 'helpscout', tagged, sign(tagged))
    const outcome = (await res.json()) as { status: string; case: string }
    expect(outcome.status).toBe('created')
    expect(await caseOf(org.id, outcome.case)).toMatchObject({ externalRef: 'Help Scout #77001', severity: 'SEV-3' })
  })

  it('verifies Intercom (X-Hub-Signature sha1=hex with the client secret) and answers its ping', async () => {
    const { org, secret } = await connected('intercom', 'intercom-client-secret-abc')
    const sign = (body: string, key = secret) => ({ 'x-hub-signature': `sha1=${createHmac('sha1', key).update(body).digest('hex')}` })
    const ping = JSON.stringify({ type: 'notification_event', topic: 'ping', data: { item: { type: 'ping', message: 'hi' } } })
    expect(await (await post(org.slug, 'intercom', ping, sign(ping))).json()).toMatchObject({ status: 'ignored' })
    const body = JSON.stringify({
      type: 'notification_event',
      app_id: 'abc123',
      topic: 'conversation.priority.updated',
      data: {
        item: {
          type: 'conversation',
          id: '215470',
          title: null,
          priority: 'priority',
          source: {
            subject: '',
            body: '<p>Your app deleted all my data.</p>',
            author: { type: 'user', name: 'Kim Park', email: 'kim@customer.test' },
          },
          tags: { type: 'tag.list', tags: [] },
        },
      },
    })
    expect((await post(org.slug, 'intercom', body, sign(body, 'forged'))).status).toBe(401)
    expect((await post(org.slug, 'intercom', body, { 'x-hub-signature': 'sha256=abc' })).status).toBe(401)
    const outcome = (await (await post(org.slug, 'intercom', body, sign(body))).json()) as { status: string; case: string }
    expect(outcome.status).toBe('created')
    expect(await caseOf(org.id, outcome.case)).toMatchObject({ externalRef: 'Intercom #215470', customerEmail: 'kim@customer.test' })
  })

  it('takes Freshdesk posts with the secret in X-Desk-Token or as the basic-auth password', async () => {
    const { org, secret } = await connected('freshdesk')
    const body = (id: string) =>
      JSON.stringify({
        ticket: {
          id,
          subject: 'Broken on arrival',
          description: '<div>The blender arrived broken.</div>',
          url: `https://acme.freshdesk.com/a/tickets/${id}`,
          priority: 'High',
          requester: { name: 'Jo', email: 'jo@customer.test' },
        },
      })
    expect((await post(org.slug, 'freshdesk', body('1'), { 'x-desk-token': `${secret}x` })).status).toBe(401)
    expect((await post(org.slug, 'freshdesk', body('1'), { 'x-desk-token': secret })).status).toBe(200)
    const basic = { authorization: `Basic ${btoa(`freshdesk:${secret}`)}` }
    expect(await (await post(org.slug, 'freshdesk', body('2'), basic)).json()).toMatchObject({ status: 'created' })
  })

  it('signs the generic shape like /inbound/raw: the signature covers the org in the query', async () => {
    const a = await connected('generic')
    const b = await connected('generic')
    const body = JSON.stringify({
      ticket: { id: 'T-1', subject: 'Refund', description: 'Please refund.', priority: 'normal', customer: { email: 'c@customer.test' } },
    })
    const sign = async (secret: string, slug: string, ts = String(Math.floor(Date.now() / 1000))) => ({
      'x-desk-timestamp': ts,
      'x-desk-signature': `v2=${await signHmacHex(secret, [`v2.${ts}.${target(slug, 'generic')}\n`, body])}`,
    })
    expect((await post(a.org.slug, 'generic', body, await sign(a.secret, a.org.slug))).status).toBe(200)
    // Signed for org A, sent to org B (which has its own secret): refused.
    expect((await post(b.org.slug, 'generic', body, await sign(a.secret, a.org.slug))).status).toBe(401)
    const old = String(Math.floor(Date.now() / 1000) - 600)
    expect((await post(a.org.slug, 'generic', body, await sign(a.secret, a.org.slug, old))).status).toBe(401)
  })

  it('answers 413 over 256 KB and 422 with a reason for a signed body that is not a ticket', async () => {
    const { org, secret } = await connected('zendesk', 'zd-signing-secret-0123456789')
    const huge = zendeskTicket({ description: 'x'.repeat(300 * 1024) })
    expect((await post(org.slug, 'zendesk', huge, zendeskHeaders(secret, huge))).status).toBe(413)
    const noId = JSON.stringify({ ticket: { subject: 'No id here', requester: { email: 'a@b.test' } } })
    const res = await post(org.slug, 'zendesk', noId, zendeskHeaders(secret, noId))
    expect(res.status).toBe(422)
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^ticket\.id/)
    const notJson = '{"ticket": {"id": "1", "subject": "a "quote" breaks it"}}'
    expect((await post(org.slug, 'zendesk', notJson, zendeskHeaders(secret, notJson))).status).toBe(422)
    const nobody = JSON.stringify({ ticket: { id: '5', subject: 'Who?' } })
    expect((await post(org.slug, 'zendesk', nobody, zendeskHeaders(secret, nobody))).status).toBe(422)
  })

  it('opens one case when the same ticket arrives twice at once', async () => {
    const { org, secret } = await connected('zendesk', 'zd-signing-secret-0123456789')
    const body = zendeskTicket({ id: '777' })
    const results = await Promise.all(
      [1, 2, 3].map(async () => (await post(org.slug, 'zendesk', body, zendeskHeaders(secret, body))).json()),
    )
    const statuses = (results as { status: string; case: string }[]).map((r) => r.status).sort()
    expect(statuses).toEqual(['created', 'duplicate', 'duplicate'])
    expect(new Set((results as { case: string }[]).map((r) => r.case)).size).toBe(1)
  })
})

describe('/admin/helpdesk', () => {
  it('shows each helpdesk its URL and body, never a stored secret; disconnecting refuses its posts; audited', async () => {
    const { org, cookie, secret } = await connected('zendesk', 'zd-signing-secret-0123456789')
    const page = await (await app.request('/admin/helpdesk', { headers: { cookie } })).text()
    expect(page).toContain(`/inbound/ticket?org=${org.slug}&amp;provider=zendesk`)
    expect(page).toContain('{{ticket.requester.email}}')
    expect(page).toContain('set, ending …6789')
    expect(page).not.toContain(secret)
    const stored = await withOrg(db, org.id, (tx) => tx<{ s: string }[]>`select secret_sealed as s from helpdesk_connections`)
    expect(stored[0]!.s).not.toContain(secret)
    const off = await app.request('/admin/helpdesk/zendesk/delete', formPost({}, { cookie }))
    expect(off.status).toBe(303)
    const body = zendeskTicket()
    expect((await post(org.slug, 'zendesk', body, zendeskHeaders(secret, body))).status).toBe(401)
    const audit = await withOrg(db, org.id, (tx) => tx<{ action: string }[]>`select action from audit_events order by seq`)
    expect(audit.map((a) => a.action)).toEqual(['helpdesk.connect', 'helpdesk.disconnect'])
  })

  it('keeps a generated secret out of the double-submit store', async () => {
    const org = await seedOrg(db)
    const admin = await seedUser(db, org.id, 'admin')
    const cookie = await sessionCookie(db, { id: admin.id, orgId: org.id })
    const res = await app.request(
      '/admin/helpdesk?_submission=helpdesk-connect-0123456789',
      formPost({ provider: 'helpscout', secret: '', ...severityFields }, { cookie }),
    )
    const secret = /<pre class="mail-text">([A-Za-z0-9_-]{20,})<\/pre>/.exec(await res.text())?.[1]
    expect(secret).toBeTruthy()
    const kept = await withOrg(db, org.id, (tx) => tx<{ body: string | null }[]>`select response_body as body from form_submissions`)
    expect(kept).toHaveLength(1)
    expect(kept[0]!.body ?? '').not.toContain(secret!)
  })

  it('needs the secret Zendesk shows; agents may not see the page', async () => {
    const org = await seedOrg(db)
    const admin = await seedUser(db, org.id, 'admin')
    const cookie = await sessionCookie(db, { id: admin.id, orgId: org.id })
    const res = await app.request('/admin/helpdesk', formPost({ provider: 'zendesk', secret: '', ...severityFields }, { cookie }))
    expect(res.status).toBe(422)
    const agent = await seedUser(db, org.id, 'agent')
    const agentCookie = await sessionCookie(db, { id: agent.id, orgId: org.id })
    expect((await app.request('/admin/helpdesk', { headers: { cookie: agentCookie } })).status).toBe(403)
  })
})
