import { request as httpRequest } from 'node:http'
import { serve } from '@hono/node-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db.ts'
import { createDevMailer } from '../../src/outbound/mailer.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { formPost } from '../support/auth.ts'
import { seedOrg, testDb } from '../support/db.ts'

// DNS rebinding (security review, finding 9): a page on a name the attacker controls, re-pointed
// at 127.0.0.1, makes the browser send `Host: rebind.attacker.test:18787` to the desk, and the
// page can then read what the desk answers (the dev mailbox holds live sign-in links). The desk
// answers only for its public host and the loopback names, before any route runs.

const rebound = 'http://rebind.attacker.test:18787'

/** One raw HTTP/1.1 request with the Host header as given, the way a browser sends it. */
function rawGet(
  port: number,
  host: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', headers: { host, accept: 'text/html', ...headers } }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('the Host header', () => {
  let db: Db
  let org: Org
  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    await createDevMailer(db).send({
      orgId: org.id,
      to: 'held@example.test',
      subject: 'Held sign-in link',
      text: 'http://localhost:8787/sign-in/confirm?token=secret',
    })
  })
  afterAll(() => db.end())

  it("refuses the review's rebinding probe before routing: mailbox, sign-in and confirm answer 421 with a one-line reason", async () => {
    const app = createTestApp(db)
    const mailbox = await app.request(`${rebound}/dev/mailbox`, { headers: { accept: 'text/html' } })
    expect(mailbox.status).toBe(421)
    const reason = await mailbox.text()
    expect(reason).toMatch(/^[^\n]+\n?$/)
    expect(reason).toContain('rebind.attacker.test')
    expect(reason).not.toContain('Held sign-in link')
    const signIn = await app.request(`${rebound}/sign-in`, formPost({ email: 'approver@example.com' }, { origin: rebound }))
    expect(signIn.status).toBe(421)
    const confirm = await app.request(`${rebound}/sign-in/confirm`, formPost({ token: 'x'.repeat(40) }, { origin: rebound }))
    expect(confirm.status).toBe(421)
    expect((await app.request(`${rebound}/admin/users`, { headers: { accept: 'text/html' } })).status).toBe(421)
    // The same requests on the desk's own name get through the check.
    expect((await app.request('/dev/mailbox', { headers: { accept: 'text/html' } })).status).toBe(200)
  })

  it("answers for loopback names on any port and for the public URL's host", async () => {
    const local = createTestApp(db)
    for (const origin of [
      'http://localhost',
      'http://localhost:3000',
      'http://127.0.0.1:18787',
      'http://[::1]:8787',
      'http://LOCALHOST:8787',
    ]) {
      const res = await local.request(`${origin}/sign-in`, { headers: { accept: 'text/html' } })
      expect({ origin, status: res.status }).toEqual({ origin, status: 200 })
    }
    const deployed = createTestApp(db, { env: testEnv({ PUBLIC_URL: 'https://desk.example.com' }) })
    expect((await deployed.request('https://desk.example.com/sign-in', { headers: { accept: 'text/html' } })).status).toBe(200)
    for (const origin of [
      'https://desk.example.com.attacker.test',
      'https://evil.desk.example.com',
      'http://10.0.0.5:8787',
      'http://localhost.attacker.test',
    ]) {
      expect({ origin, status: (await deployed.request(`${origin}/sign-in`)).status }).toEqual({ origin, status: 421 })
    }
  })

  it('behind a trusted proxy checks X-Forwarded-Host (the proxy may talk to the desk on a loopback name)', async () => {
    const proxied = createTestApp(db, { env: testEnv({ PUBLIC_URL: 'https://desk.example.com', TRUST_PROXY: '1' }) })
    const via = (forwarded: string) =>
      proxied.request('http://127.0.0.1:8787/sign-in', { headers: { accept: 'text/html', 'x-forwarded-host': forwarded } })
    expect((await via('desk.example.com')).status).toBe(200)
    expect((await via('rebind.attacker.test:18787')).status).toBe(421)
    expect((await via('rebind.attacker.test, desk.example.com')).status).toBe(200) // the proxy's own entry is the last
    expect((await via('desk.example.com, rebind.attacker.test')).status).toBe(421)
    // Without TRUST_PROXY the header is anyone's to send, so only Host counts.
    const direct = createTestApp(db, { env: testEnv({ PUBLIC_URL: 'https://desk.example.com' }) })
    const spoofed = await direct.request(`${rebound}/sign-in`, { headers: { 'x-forwarded-host': 'desk.example.com' } })
    expect(spoofed.status).toBe(421)
  })

  it('leaves health checks, webhooks and static files to their own checks (probes call them by IP)', async () => {
    const app = createTestApp(db, {
      env: testEnv({ PUBLIC_URL: 'https://desk.example.com', INBOUND_SECRET: 'an-inbound-secret-for-this-test' }),
    })
    expect((await app.request('http://10.1.2.3:8787/healthz')).status).toBe(200)
    expect((await app.request('http://10.1.2.3:8787/static/htmx.min.js')).status).toBe(200)
    expect((await app.request('http://10.1.2.3:8787/inbound/raw', { method: 'POST', body: 'x' })).status).toBe(401) // unsigned
  })

  it("on a real socket: a rebound Host gets 421, the desk's own gets the page", async () => {
    const app = createTestApp(db)
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
    await new Promise<void>((resolve) => server.once('listening', () => resolve()))
    const { port } = server.address() as { port: number }
    try {
      const rebind = await rawGet(port, `rebind.attacker.test:${port}`, '/dev/mailbox')
      expect(rebind.status).toBe(421)
      expect(rebind.body).not.toContain('Held sign-in link')
      const own = await rawGet(port, `127.0.0.1:${port}`, '/dev/mailbox')
      expect(own.status).toBe(200)
      expect(own.body).toContain('Held sign-in link')
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('the dev mailbox also looks at the request: a caller that is not on this machine gets 404', async () => {
    const app = createTestApp(db)
    const from = (remoteAddress: string) =>
      app.request('/dev/mailbox', { headers: { accept: 'text/html' } }, { incoming: { socket: { remoteAddress } } })
    expect((await from('127.0.0.1')).status).toBe(200)
    expect((await from('::1')).status).toBe(200)
    expect((await from('::ffff:127.0.0.1')).status).toBe(200)
    expect((await from('192.0.2.5')).status).toBe(404)
    // The sign-in page offers the mailbox link only where the mailbox opens.
    const page = await app.request(
      '/sign-in',
      { headers: { accept: 'text/html' } },
      { incoming: { socket: { remoteAddress: '192.0.2.5' } } },
    )
    expect(await page.text()).not.toContain('/dev/mailbox')
  })
})

describe('static files', () => {
  let db: Db
  beforeAll(() => {
    db = testDb(1)
  })
  afterAll(() => db.end())

  it('answers 404, not 500, for names an object inherits', async () => {
    const app = createTestApp(db)
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      const res = await app.request(`/static/${name}`)
      expect({ name, status: res.status }).toEqual({ name, status: 404 })
    }
    const js = await app.request('/static/htmx.min.js')
    expect(js.status).toBe(200)
    expect(js.headers.get('cache-control')).toBe('public, max-age=3600')
  })
})
