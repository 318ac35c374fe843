import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { receiveMail } from '../../src/intake/webhooks/receive.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testAnalysis } from '../support/app.ts'
import { sameOrigin, sessionCookie } from '../support/auth.ts'
import { buildEml, seedOrg, seedUser, testDatabaseUrl, testDb } from '../support/db.ts'
import { runDesk } from '../support/process.ts'

describe('quarantine: mail that did not become a case', () => {
  let db: Db
  let acme: Org
  let other: Org
  let cookie: string
  let adminId: string
  let otherCookie: string
  let dir: string
  const app = () => createTestApp(db)

  beforeAll(async () => {
    db = testDb()
    const tag = randomBytes(4).toString('hex')
    acme = await seedOrg(db, { slug: `q-acme-${tag}`, inboundAddresses: [`escalations@acme-${tag}.test`] })
    other = await seedOrg(db, { slug: `q-other-${tag}`, inboundAddresses: [`escalations@other-${tag}.test`] })
    const admin = await seedUser(db, acme.id, 'admin')
    adminId = admin.id
    cookie = await sessionCookie(db, { id: admin.id, orgId: acme.id })
    const otherAdmin = await seedUser(db, other.id, 'admin')
    otherCookie = await sessionCookie(db, { id: otherAdmin.id, orgId: other.id })
    dir = await mkdtemp(`${tmpdir()}/desk-quarantine-`)
  })
  afterAll(async () => {
    await db.end()
    await rm(dir, { recursive: true, force: true })
  })

  const acmeDomain = () => acme.inboundAddresses[0]!.split('@')[1]!
  const get = (path: string, as = cookie) => app().request(path, { headers: { cookie: as, accept: 'text/html' } })
  const post = (path: string, fields: Record<string, string> = {}, as = cookie) =>
    app().request(path, {
      method: 'POST',
      headers: { cookie: as, origin: sameOrigin, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    })

  /** A delivery through the way every webhook reduces to; routed by its recipients. */
  async function deliver(raw: Uint8Array, orgSlug?: string) {
    return receiveMail(db, { raw, provider: 'test', orgSlug, analyze: testAnalysis.analyze })
  }

  /** A message that was quarantined by a past problem, stored as intake stores one. */
  async function quarantinedOfAcme(subject: string) {
    const raw = buildEml({ to: acme.inboundAddresses[0], subject, from: 'Rita Alvarez <rita@customer.test>' })
    const sha = createHash('sha256').update(raw).digest('hex')
    const [row] = await withOrg(
      db,
      acme.id,
      (tx) => tx<{ id: string }[]>`
      insert into inbound_raw (org_id, provider, sha256, size, raw, status, reason, processed_at)
      values (${acme.id}, 'postmark', ${sha}, ${raw.byteLength}, ${Buffer.from(raw)}, 'quarantined', 'could not be stored: a bug since fixed', now())
      returning id`,
    )
    return { id: row!.id, raw }
  }

  it("lists the org's quarantined and stuck messages with id, reason, sender, subject, time and size", async () => {
    const { id } = await quarantinedOfAcme('Refund still missing')
    const stuck = buildEml({ to: acme.inboundAddresses[0], subject: 'Stuck after a crash' })
    const [stuckRow] = await withOrg(
      db,
      acme.id,
      (tx) => tx<{ id: string }[]>`
      insert into inbound_raw (org_id, provider, sha256, size, raw, status, received_at, process_attempts, last_error)
      values (${acme.id}, 'raw', 'stuck', ${stuck.byteLength}, ${Buffer.from(stuck)}, 'received', now() - interval '10 minutes', 2, 'Error: worker exited')
      returning id`,
    )
    // A row received a moment ago is still being processed: not held.
    await withOrg(
      db,
      acme.id,
      (tx) => tx`
      insert into inbound_raw (org_id, provider, sha256, size, raw, status) values (${acme.id}, 'raw', 'fresh', 5, '\\x41', 'received')`,
    )

    const res = await get('/admin/quarantine')
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain(id)
    expect(html).toContain('Refund still missing')
    expect(html).toContain('Rita Alvarez &lt;rita@customer.test&gt;')
    expect(html).toContain('could not be stored: a bug since fixed')
    expect(html).toMatch(/\d+(\.\d)? KB|\d+ B/)
    expect(html).toContain(stuckRow!.id)
    expect(html).toContain('last error: Error: worker exited (the sweep retries it: attempt 2 of 3)')
    expect(html).not.toContain('>fresh<')
    expect(html).toContain(`href="/admin/quarantine/${id}/raw.eml"`)
  })

  it('reprocesses one: it becomes a case, audited as the admin', async () => {
    const { id } = await quarantinedOfAcme('Please call me back')
    const res = await post(`/admin/quarantine/${id}/reprocess`)
    expect(res.status).toBe(200)
    expect(await res.text()).toMatch(/Processed again: created \(ESC-\d+\)/)
    const [row] = await withOrg(db, acme.id, (tx) => tx<{ status: string }[]>`select status from inbound_raw where id = ${id}`)
    expect(row!.status).toBe('processed')
    const [event] = await withOrg(
      db,
      acme.id,
      (tx) => tx<{ actorId: string; action: string }[]>`
      select actor_id as "actorId", action from audit_events where action = 'message.reprocess' and details->>'rawId' = ${id}`,
    )
    expect(event).toEqual({ actorId: adminId, action: 'message.reprocess' })
    // Done once: a second press finds nothing held.
    expect((await post(`/admin/quarantine/${id}/reprocess`)).status).toBe(404)
  })

  it('marks one as not an escalation: kept, no case, audited', async () => {
    const { id } = await quarantinedOfAcme('Newsletter we never asked for')
    const res = await post(`/admin/quarantine/${id}/not-escalation`, { note: 'a vendor newsletter' })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('Kept as not an escalation: “Newsletter we never asked for”')
    const [row] = await withOrg(
      db,
      acme.id,
      (tx) => tx<{ status: string; reason: string; caseId: string | null; summary: { subject: string } }[]>`
      select status, reason, case_id as "caseId", summary from inbound_raw where id = ${id}`,
    )
    expect(row).toMatchObject({ status: 'not_escalation', caseId: null, summary: { subject: 'Newsletter we never asked for' } })
    expect(row!.reason).toContain('a vendor newsletter')
    const events = await withOrg(
      db,
      acme.id,
      (tx) => tx`select 1 from audit_events where action = 'message.mark_not_escalation' and details->>'rawId' = ${id}`,
    )
    expect(events).toHaveLength(1)
  })

  it('downloads the raw .eml as an attachment, never rendered, and audits it', async () => {
    const { id, raw } = await quarantinedOfAcme('<script>alert(1)</script> in the subject')
    const page = await (await get('/admin/quarantine')).text()
    expect(page).not.toContain('<script>alert(1)</script>')
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt; in the subject')
    const res = await get(`/admin/quarantine/${id}/raw.eml`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('message/rfc822')
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${id}.eml"`)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(raw)
    const events = await withOrg(
      db,
      acme.id,
      (tx) => tx`select 1 from audit_events where action = 'message.download' and details->>'rawId' = ${id}`,
    )
    expect(events).toHaveLength(1)
  })

  it('unrouted mail: an admin sees what was addressed to their own domain and may take it; of the rest only a count', async () => {
    const typo = await deliver(buildEml({ to: `escalation@${acmeDomain()}`, subject: 'Typo in the address' }))
    const stray = await deliver(buildEml({ to: 'help@nobody-receives-this.test', subject: 'Meant for someone else' }))
    expect(typo.status).toBe('quarantined')
    expect(stray.status).toBe('quarantined')

    const html = await (await get('/admin/quarantine')).text()
    expect(html).toContain('Typo in the address')
    expect(html).toContain(typo.rawId!)
    expect(html).not.toContain('Meant for someone else')
    expect(html).not.toContain(stray.rawId!)
    expect(html).toMatch(/\d+ other messages? (was|were) routed to no organization/)
    // The other org's admin sees neither.
    const theirs = await (await get('/admin/quarantine', otherCookie)).text()
    expect(theirs).not.toContain('Typo in the address')
    for (const action of ['reprocess', 'not-escalation']) {
      expect((await post(`/admin/quarantine/${typo.rawId}/${action}`, {}, otherCookie)).status).toBe(404)
      expect((await post(`/admin/quarantine/${stray.rawId}/${action}`)).status).toBe(404)
    }
    expect((await get(`/admin/quarantine/${stray.rawId}/raw.eml`)).status).toBe(404)

    // Taking it files it under acme, as a case, audited as an assignment by the admin.
    const taken = await post(`/admin/quarantine/${typo.rawId}/reprocess`)
    expect(await taken.text()).toMatch(/Processed again: created \(ESC-\d+\)/)
    const [row] = await db<{ orgId: string; status: string }[]>`select org_id as "orgId", status from inbound_raw where id = ${typo.rawId}`
    expect(row).toEqual({ orgId: acme.id, status: 'processed' })
    const events = await withOrg(
      db,
      acme.id,
      (tx) => tx<{ actorId: string }[]>`
      select actor_id as "actorId" from audit_events where action = 'message.assign' and details->>'rawId' = ${typo.rawId}`,
    )
    expect(events).toEqual([{ actorId: adminId }])
  })

  it("another org's message is not found on every action, and an agent may not open the page", async () => {
    const theirs = await deliver(buildEml({ to: other.inboundAddresses[0], subject: 'x' }), 'no-such-slug-here')
    // Routed to nobody by a bad ?org=, addressed to the other org's domain: only they could take it.
    expect(theirs.status).toBe('quarantined')
    await db`update inbound_raw set org_id = ${other.id} where id = ${theirs.rawId}`
    expect((await post(`/admin/quarantine/${theirs.rawId}/reprocess`)).status).toBe(404)
    expect((await post(`/admin/quarantine/${theirs.rawId}/not-escalation`)).status).toBe(404)
    expect((await get(`/admin/quarantine/${theirs.rawId}/raw.eml`)).status).toBe(404)
    expect((await get('/admin/quarantine/not-a-uuid/raw.eml')).status).toBe(404)
    const [row] = await db<{ status: string }[]>`select status from inbound_raw where id = ${theirs.rawId}`
    expect(row!.status).toBe('quarantined')

    const agent = await seedUser(db, acme.id, 'agent')
    expect((await get('/admin/quarantine', await sessionCookie(db, { id: agent.id, orgId: acme.id }))).status).toBe(403)
  })

  it("desk quarantine list is the operator's view: every org and the unrouted; ingest --reprocess takes the id it shows", async () => {
    const stray = await deliver(
      buildEml({ to: `nobody-${randomBytes(3).toString('hex')}@unclaimed.test`, subject: 'Operator routes this one' }),
    )
    const { id: own } = await quarantinedOfAcme('Seen by the operator too')
    const env = { DATABASE_URL: testDatabaseUrl(), DESK_DEMO: '0' }
    const listed = await runDesk(['quarantine', 'list', '--json'], env)
    expect(listed.code).toBe(0)
    const rows = JSON.parse(listed.stdout) as {
      id: string
      org: string | null
      state: string
      subject: string
      reason: string
      size: number
    }[]
    expect(rows.find((r) => r.id === stray.rawId)).toMatchObject({
      org: null,
      state: 'quarantined',
      subject: 'Operator routes this one',
      reason: expect.stringContaining('no organization receives mail at'),
    })
    expect(rows.find((r) => r.id === own)).toMatchObject({ org: acme.slug, subject: 'Seen by the operator too' })

    const text = await runDesk(['quarantine', 'list', '--org', acme.slug], env)
    expect(text.code).toBe(0)
    expect(text.stdout).toContain(`${own}  ${acme.slug}  quarantined  `)
    expect(text.stdout).not.toContain(stray.rawId!)

    const routed = await runDesk(['ingest', '--reprocess', stray.rawId!, '--org', other.slug, '--json'], env)
    expect(routed.code).toBe(0)
    expect(JSON.parse(routed.stdout)).toMatchObject({ status: 'created' })
    expect((await runDesk(['quarantine', 'frobnicate'], env)).code).toBe(2)
  })
})
