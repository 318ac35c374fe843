import { Webhook } from 'standardwebhooks'
import { afterAll, describe, expect, it } from 'vitest'
import { withOrg } from '../../src/db.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runJobsOnce } from '../../src/jobs/runner.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { startWebhookReceiver } from '../support/webhook-receiver.ts'

const db = testDb()
const app = createTestApp(db)
const receivers: Awaited<ReturnType<typeof startWebhookReceiver>>[] = []
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()))
  await db.end()
})

const all = jobHandlers()
const deps = {
  db,
  env: testEnv({ PUBLIC_URL: 'https://desk.example.com' }),
  handlers: { case_event: all.case_event!, webhook_delivery: all.webhook_delivery! },
  backoffMs: () => 0,
  log: () => {},
}

/** Runs the org's case events and deliveries until nothing is due (retries are due at once here). */
async function drain(orgId: string) {
  for (let i = 0; i < 20 && (await runJobsOnce(deps, { orgId })).claimed > 0; i++) {
    /* next round */
  }
}

async function receiver() {
  const r = await startWebhookReceiver()
  receivers.push(r)
  return r
}

async function adminOf(orgId: string) {
  const admin = await seedUser(db, orgId, 'admin')
  return { ...admin, cookie: await sessionCookie(db, { id: admin.id, orgId }) }
}

/** Adds an endpoint through the settings page, as an admin does; returns its id and the secret shown once. */
async function addEndpoint(cookie: string, url: string, events = ['case.created', 'case.assigned']) {
  const body = new URLSearchParams({ url, description: 'CRM' })
  for (const e of events) body.append('events', e)
  const res = await app.request('/admin/webhooks', { ...formPost({}, { cookie }), body: body.toString() })
  expect(res.status).toBe(200)
  const html = await res.text()
  const secret = /whsec_[A-Za-z0-9+/=]+/.exec(html)?.[0]
  const id = /\/admin\/webhooks\/([0-9a-f-]{36})/.exec(html)?.[1]
  expect(secret && id).toBeTruthy()
  return { id: id!, secret: secret! }
}

const deliveriesOf = (orgId: string) =>
  withOrg(
    db,
    orgId,
    (tx) => tx<{ id: string; status: string; attempts: number; lastStatusCode: number | null; eventType: string }[]>`
      select id, status, attempts, last_status_code as "lastStatusCode", event_type as "eventType"
      from webhook_deliveries order by created_at, id`,
  )

async function setUp(events?: string[]) {
  const org = await seedOrg(db)
  const admin = await adminOf(org.id)
  const r = await receiver()
  const endpoint = await addEndpoint(admin.cookie, r.url, events)
  return { org, admin, r, endpoint }
}

describe('outgoing webhooks', () => {
  it('an org that has not set up an endpoint gets no case events and no deliveries', async () => {
    const org = await seedOrg(db)
    await seedCase(db, org.id)
    await drain(org.id)
    expect(await deliveriesOf(org.id)).toEqual([])
    const [jobs] = await withOrg(db, org.id, (tx) => tx<{ n: number }[]>`select count(*)::int as n from jobs where kind = 'case_event'`)
    expect(jobs!.n).toBe(0)
  })

  it('delivers a case event that the receiver verifies with the standardwebhooks package; a forgery does not verify', async () => {
    const { org, r, endpoint } = await setUp()
    const kase = await seedCase(db, org.id, {
      subject: 'My card 4111 1111 1111 1111 was charged twice',
      body: 'Secret words of the customer.',
    })
    await drain(org.id)
    expect(r.received).toHaveLength(1)
    const [post] = r.received
    const payload = new Webhook(endpoint.secret).verify(post!.body, post!.headers) as Record<string, any>
    expect(payload.type).toBe('case.created')
    expect(payload.data.case).toMatchObject({ id: kase.id, label: kase.label, url: `https://desk.example.com/cases/${kase.id}` })
    expect(post!.headers['webhook-id']).toBe((await deliveriesOf(org.id))[0]!.id)
    // No text the customer wrote leaves the desk.
    expect(post!.body).not.toMatch(/4111|charged twice|Secret words/)
    // Another secret, a changed body or an old timestamp: refused by the receiver's library.
    expect(() => new Webhook(`whsec_${btoa('someone else entirely')}`).verify(post!.body, post!.headers)).toThrow()
    expect(() => new Webhook(endpoint.secret).verify(post!.body.replace('case.created', 'case.closed'), post!.headers)).toThrow()
    const stale = { ...post!.headers, 'webhook-timestamp': String(Math.floor(Date.now() / 1000) - 600) }
    expect(() => new Webhook(endpoint.secret).verify(post!.body, stale)).toThrow()
    expect((await deliveriesOf(org.id))[0]).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200 })
  })

  it('retries a 500 and a 429 (its Retry-After) with the same webhook-id, then succeeds', async () => {
    const { org, r, endpoint } = await setUp()
    r.answerWith(500, { status: 429, headers: { 'retry-after': '0' } })
    await seedCase(db, org.id)
    await drain(org.id)
    expect(r.received.map((p) => p.headers['webhook-id'])).toEqual(Array(3).fill(r.received[0]!.headers['webhook-id']))
    expect(r.received[0]!.body).toBe(r.received[2]!.body)
    for (const post of r.received) expect(() => new Webhook(endpoint.secret).verify(post.body, post.headers)).not.toThrow()
    const [delivery] = await deliveriesOf(org.id)
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200 })
    const attempts = await withOrg(
      db,
      org.id,
      (tx) => tx<{ statusCode: number }[]>`
      select status_code as "statusCode" from webhook_attempts where delivery_id = ${delivery!.id} order by id`,
    )
    expect(attempts.map((a) => a.statusCode)).toEqual([500, 429, 200])
  })

  it('gives up after eight attempts of 500s: the delivery failed, with every attempt logged', async () => {
    const { org, r } = await setUp()
    r.answerWith(...Array(9).fill(500))
    await seedCase(db, org.id)
    await drain(org.id)
    expect(r.received).toHaveLength(8)
    expect((await deliveriesOf(org.id))[0]).toMatchObject({ status: 'failed', attempts: 8, lastStatusCode: 500 })
  })

  it('stops at a permanent 410: one attempt, the delivery failed, its job finished', async () => {
    const { org, r } = await setUp()
    r.answerWith(410)
    await seedCase(db, org.id)
    await drain(org.id)
    expect(r.received).toHaveLength(1)
    expect((await deliveriesOf(org.id))[0]).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 410 })
    const [open] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ n: number }[]>`
      select count(*)::int as n from jobs where kind = 'webhook_delivery' and done_at is null and failed_at is null`,
    )
    expect(open!.n).toBe(0)
  })

  it('replays a delivery from the log: same payload, same webhook-id, a new attempt, audited', async () => {
    const { org, admin, r, endpoint } = await setUp()
    r.answerWith(410)
    await seedCase(db, org.id)
    await drain(org.id)
    const [delivery] = await deliveriesOf(org.id)
    const log = await app.request(`/admin/webhooks/${endpoint.id}`, { headers: { cookie: admin.cookie } })
    expect(await log.text()).toContain(`/deliveries/${delivery!.id}/replay`)
    const res = await app.request(
      `/admin/webhooks/${endpoint.id}/deliveries/${delivery!.id}/replay`,
      formPost({}, { cookie: admin.cookie }),
    )
    expect(res.status).toBe(303)
    // A second replay while it is queued is refused: it would post twice at once.
    const again = await app.request(
      `/admin/webhooks/${endpoint.id}/deliveries/${delivery!.id}/replay`,
      formPost({}, { cookie: admin.cookie }),
    )
    expect(again.headers.get('location')).toContain('done=pending')
    await drain(org.id)
    expect(r.received).toHaveLength(2)
    expect(r.received[1]!.headers['webhook-id']).toBe(delivery!.id)
    expect(r.received[1]!.body).toBe(r.received[0]!.body)
    expect((await deliveriesOf(org.id))[0]).toMatchObject({ status: 'delivered', attempts: 2 })
    const audit = await withOrg(
      db,
      org.id,
      (tx) => tx<{ action: string }[]>`select action from audit_events where action like 'webhook.%' order by seq`,
    )
    expect(audit.map((a) => a.action)).toEqual(['webhook.create', 'webhook.replay'])
  })

  it("never sends one org's events to another org's endpoint, nor shows or replays them to its admin", async () => {
    const a = await setUp()
    const b = await setUp()
    await seedCase(db, a.org.id)
    await drain(a.org.id)
    await drain(b.org.id)
    expect(a.r.received).toHaveLength(1)
    expect(b.r.received).toHaveLength(0)
    const [delivery] = await deliveriesOf(a.org.id)
    const page = await app.request(`/admin/webhooks/${a.endpoint.id}`, { headers: { cookie: b.admin.cookie } })
    expect(page.status).toBe(404)
    const replay = await app.request(
      `/admin/webhooks/${a.endpoint.id}/deliveries/${delivery!.id}/replay`,
      formPost({}, { cookie: b.admin.cookie }),
    )
    expect(replay.status).toBe(404)
    const disable = await app.request(`/admin/webhooks/${a.endpoint.id}/disable`, formPost({}, { cookie: b.admin.cookie }))
    expect(disable.status).toBe(404)
  })

  it('sends only the subscribed event types; a disabled endpoint gets nothing and the subscription goes with it', async () => {
    const { org, admin, r, endpoint } = await setUp(['case.assigned'])
    await seedCase(db, org.id)
    await drain(org.id)
    expect(r.received).toHaveLength(0)
    const off = await app.request(`/admin/webhooks/${endpoint.id}/disable`, formPost({}, { cookie: admin.cookie }))
    expect(off.status).toBe(303)
    const subs = await withOrg(db, org.id, (tx) => tx`select sink from event_subscriptions`)
    expect(subs).toEqual([])
    const on = await app.request(`/admin/webhooks/${endpoint.id}/enable`, formPost({}, { cookie: admin.cookie }))
    expect(on.status).toBe(303)
    expect(await withOrg(db, org.id, (tx) => tx`select sink from event_subscriptions`)).toEqual([{ sink: 'webhooks' }])
    const gone = await app.request(`/admin/webhooks/${endpoint.id}/delete`, formPost({}, { cookie: admin.cookie }))
    expect(gone.status).toBe(303)
    expect(await withOrg(db, org.id, (tx) => tx`select sink from event_subscriptions`)).toEqual([])
  })

  it('sends a signed test event on request, and shows the secret only once', async () => {
    const { org, admin, r, endpoint } = await setUp()
    const res = await app.request(`/admin/webhooks/${endpoint.id}/test`, formPost({}, { cookie: admin.cookie }))
    expect(res.status).toBe(303)
    await drain(org.id)
    expect(r.received).toHaveLength(1)
    expect(new Webhook(endpoint.secret).verify(r.received[0]!.body, r.received[0]!.headers)).toMatchObject({ type: 'webhook.test' })
    const list = await (await app.request('/admin/webhooks', { headers: { cookie: admin.cookie } })).text()
    expect(list).not.toContain(endpoint.secret)
    expect(list).toContain(`set, ending …${endpoint.secret.slice(-4)}`)
    const stored = await withOrg(db, org.id, (tx) => tx<{ s: string }[]>`select secret_sealed as s from webhook_endpoints`)
    expect(stored[0]!.s).not.toContain(endpoint.secret.slice(6))
  })

  it('drops a queued delivery whose endpoint was disabled, and one whose secret no longer opens, without posting', async () => {
    const { org, admin, r, endpoint } = await setUp()
    await seedCase(db, org.id)
    // Fan the event out, but post nothing yet.
    await runJobsOnce({ ...deps, handlers: { case_event: all.case_event! } }, { orgId: org.id })
    expect((await deliveriesOf(org.id))[0]).toMatchObject({ status: 'pending', attempts: 0 })
    await app.request(`/admin/webhooks/${endpoint.id}/disable`, formPost({}, { cookie: admin.cookie }))
    await drain(org.id)
    expect(r.received).toHaveLength(0)
    expect((await deliveriesOf(org.id))[0]).toMatchObject({ status: 'failed', attempts: 0 })

    await app.request(`/admin/webhooks/${endpoint.id}/enable`, formPost({}, { cookie: admin.cookie }))
    await app.request(`/admin/webhooks/${endpoint.id}/test`, formPost({}, { cookie: admin.cookie }))
    // A runner with another SECRETS_KEY than the one the secret was sealed with.
    const otherKey = { ...deps, env: testEnv({ SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') }) }
    await runJobsOnce(otherKey, { orgId: org.id })
    expect(r.received).toHaveLength(0)
    const [, test] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ status: string; error: string }[]>`
      select status, last_error as error from webhook_deliveries order by created_at, id`,
    )
    expect(test).toMatchObject({ status: 'failed' })
    expect(test!.error).toContain('SECRETS_KEY')
  })

  it('keeps the shown-once secret out of the double-submit store', async () => {
    const org = await seedOrg(db)
    const admin = await adminOf(org.id)
    const r = await receiver()
    const body = new URLSearchParams({ url: r.url, events: 'case.created' }).toString()
    const submit = () =>
      app.request('/admin/webhooks?_submission=webhook-add-0123456789', { ...formPost({}, { cookie: admin.cookie }), body })
    const first = await (await submit()).text()
    const secret = /whsec_[A-Za-z0-9+/=]+/.exec(first)?.[0]
    expect(secret).toBeTruthy()
    // A resubmission of the same form creates nothing and does not show the secret again.
    expect(await (await submit()).text()).not.toContain(secret!)
    const kept = await withOrg(db, org.id, (tx) => tx<{ body: string | null }[]>`select response_body as body from form_submissions`)
    expect(kept.length).toBe(1)
    expect(kept[0]!.body ?? '').not.toContain(secret!)
    const endpoints = await withOrg(db, org.id, (tx) => tx`select id from webhook_endpoints`)
    expect(endpoints).toHaveLength(1)
  })

  it('refuses a URL that is not https (but for this machine), and non-admins', async () => {
    const org = await seedOrg(db)
    const admin = await adminOf(org.id)
    const body = new URLSearchParams({ url: 'http://hooks.example.com/x', events: 'case.created' }).toString()
    const res = await app.request('/admin/webhooks', { ...formPost({}, { cookie: admin.cookie }), body })
    expect(res.status).toBe(422)
    expect(await res.text()).toContain('Use an https:// URL')
    for (const url of ["' OR 1=1 --", '', 'https://user:pw@hooks.example.com/x', 'javascript:alert(1)']) {
      const hostile = await app.request('/admin/webhooks', {
        ...formPost({}, { cookie: admin.cookie }),
        body: new URLSearchParams({ url, events: 'case.created' }).toString(),
      })
      expect(hostile.status).toBe(422)
    }
    // A notice is looked up by name, never through the prototype.
    const odd = await app.request('/admin/webhooks?done=constructor', { headers: { cookie: admin.cookie } })
    expect(odd.status).toBe(200)
    expect(await odd.text()).not.toMatch(/function|native code/)
    const agent = await seedUser(db, org.id, 'agent')
    const cookie = await sessionCookie(db, { id: agent.id, orgId: org.id })
    expect((await app.request('/admin/webhooks', { headers: { cookie } })).status).toBe(403)
  })
})
