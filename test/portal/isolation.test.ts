import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { issueApiToken } from '../../src/api/tokens.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { insertPreventionAction } from '../../src/reviews/queries.ts'
import { insertRecoveryItem } from '../../src/recovery/queries.ts'
import { saveConnection } from '../../src/intake/tickets/connections.ts'
import { defaultPriorityMap } from '../../src/intake/tickets/terms.ts'
import { addEndpoint } from '../../src/webhooks/endpoints.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { formPost, sameOrigin, sessionCookie } from '../support/auth.ts'
import { auditActions } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

// Promise 5 (README): another org's id is a 404 (never a 403 that confirms it exists, never a 200), and
// so is a malformed id (never a 500). The routes are read from the app itself, so a new route
// that takes an id fails this file until it is covered here.

const htmlMail = (subject: string) =>
  new TextEncoder().encode(
    [
      'From: Pat Customer <pat@customer.test>',
      'To: escalations@example.com',
      `Subject: ${subject}`,
      `Message-ID: <${randomUUID()}@customer.test>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Plain text.',
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>Formatted <b>text</b>.</p>',
      '--b1--',
      '',
    ].join('\r\n'),
  )

/** Routes machines call (signed webhooks, static files, the API: test/api) are outside the signed-in portal. */
const portalRoute = (path: string) => path.includes(':') && !/^\/(inbound|static|api)\//.test(path)

type Ids = {
  caseId: string
  messageId: string
  userId: string
  runId: string
  mailId: string
  actionId: string
  rawId: string
  viewId: string
  tokenId: string
  sessionId: string
  itemId: string
  endpointId: string
  deliveryId: string
}

/** Fills a route's parameters from a set of ids; an unknown parameter means the route is not covered yet. */
function fill(path: string, ids: Ids): string {
  return path.replace(/:(\w+)/g, (_, name: string) => {
    if (name === 'messageId') return ids.messageId
    if (name === 'runId') return ids.runId
    if (name === 'actionId') return ids.actionId
    if (name === 'itemId') return ids.itemId
    if (name === 'rawId') return ids.rawId
    if (name === 'id' && path.startsWith('/cases/')) return ids.caseId
    if (name === 'caseId') return ids.caseId
    if (name === 'id' && path.startsWith('/admin/users/')) return ids.userId
    if (name === 'id' && path.startsWith('/admin/second-factor/users/')) return ids.userId
    if (name === 'id' && path.startsWith('/dev/mailbox/')) return ids.mailId
    if (name === 'id' && /^\/admin\/(quarantine|not-escalations)\//.test(path)) return ids.rawId
    if (name === 'id' && path.startsWith('/views/')) return ids.viewId
    if (name === 'id' && path.startsWith('/admin/api-tokens/')) return ids.tokenId
    if (name === 'id' && path.startsWith('/sessions/')) return ids.sessionId
    if (name === 'id' && path.startsWith('/admin/webhooks/')) return ids.endpointId
    if (name === 'deliveryId') return ids.deliveryId
    // Not an id: the helpdesk org B connected, which org A has not.
    if (name === 'provider' && path.startsWith('/admin/helpdesk/')) return 'zendesk'
    if (name === 'owner' && path.startsWith('/metrics/owners/')) return ids.userId
    // Any id of the other org's; test/attachments/attachments.test.ts tries its real files.
    if (name === 'attachmentId') return ids.messageId
    // The same for a reply's uploads; test/drafts/reply-files.test.ts downloads a real one across orgs.
    if (name === 'uploadId') return ids.messageId
    throw new Error(`${path}: add this route's :${name} to test/portal/isolation.test.ts`)
  })
}

// Fields that would make each action succeed in its own org, so a 404 is about the id alone.
const actionFields = (ownerId: string) => ({
  ownerId,
  severity: 'SEV-1',
  status: 'in_progress',
  reason: 'testing isolation',
  text: 'a note',
  role: 'approver',
  customerName: 'Isolation Test',
  customerEmail: 'isolation@customer.test',
  source: 'social',
  externalRef: 'ISO-1',
})

describe('404 across orgs for every route that takes an id', () => {
  let db: Db
  let orgA: Org
  let orgB: Org
  let adminA: { id: string; cookie: string }
  let b: Ids
  beforeAll(async () => {
    db = testDb()
    orgA = await seedOrg(db)
    orgB = await seedOrg(db)
    const userA = { ...(await seedUser(db, orgA.id, 'admin')), orgId: orgA.id }
    adminA = { id: userA.id, cookie: await sessionCookie(db, userA) }
    const userB = { ...(await seedUser(db, orgB.id, 'admin')), orgId: orgB.id }
    const cookieB = await sessionCookie(db, userB)

    const outcome = await ingestMessage(db, { orgId: orgB.id, raw: htmlMail('Org B secret'), provider: 'test' })
    const [row] = await withOrg(
      db,
      orgB.id,
      (tx) => tx<{ caseId: string; messageId: string }[]>`
      select c.id as "caseId", m.id as "messageId" from cases c join messages m on m.case_id = c.id
      where 'ESC-' || c.number = ${outcome.case} and m.html_body is not null`,
    )
    const form = new FormData()
    form.set('kind', 'cases')
    form.set('file', new File(['Name,Subject\nAna,Org B import\n'], 'b.csv'))
    const preview = await createTestApp(db).request('/import/preview', {
      method: 'POST',
      body: form,
      headers: { origin: sameOrigin, cookie: cookieB },
    })
    const runId = /name="runId" value="(\d+)"/.exec(await preview.text())![1]!
    const [mail] = await db<{ id: string }[]>`select id from dev_mailbox limit 1`
    // A post-incident prevention action on org B's case (review routes take its id).
    const actionId = await withOrg(db, orgB.id, (tx) =>
      insertPreventionAction(tx, {
        orgId: orgB.id,
        caseId: row!.caseId,
        ownerId: userB.id,
        title: 'Org B action',
        dueOn: '2026-12-01',
        createdBy: userB.id,
      }),
    )
    // A kept not-escalation of org B (an auto-reply): "Open a case from this message" takes its id.
    const autoReply = await ingestMessage(db, {
      orgId: orgB.id,
      raw: new TextEncoder().encode(
        [
          'From: Org B Customer <away@customer.test>',
          'To: escalations@example.com',
          'Subject: Automatic reply: Org B',
          `Message-ID: <${randomUUID()}@customer.test>`,
          'Auto-Submitted: auto-replied',
          'Content-Type: text/plain',
          '',
          'I am away.',
          '',
        ].join('\r\n'),
      ),
      provider: 'test',
    })
    // A saved view of org B's user, shared with org B: deleting it takes its id.
    const [view] = await withOrg(
      db,
      orgB.id,
      (tx) => tx<{ id: string }[]>`insert into saved_views (org_id, owner_id, name, query, shared)
        values (${orgB.id}, ${userB.id}, 'Org B view', 'view=mine', true) returning id`,
    )
    // An API token of org B's: revoking it takes its id.
    const sessionB = { ...userB, name: '', role: 'admin' as const, orgName: orgB.name, orgSlug: orgB.slug }
    const { id: tokenId } = await issueApiToken(db, sessionB, { name: 'Org B token', scope: 'read', requestsPerMinute: 60 })
    // A recovery item on org B's case (the case's recovery forms take its id).
    const itemId = await withOrg(db, orgB.id, (tx) =>
      insertRecoveryItem(tx, {
        orgId: orgB.id,
        caseId: row!.caseId,
        kind: 'apology',
        title: 'Org B apology',
        ownerId: userB.id,
        dueOn: '2026-12-01',
        creditAmount: null,
        creditCurrency: null,
        createdBy: userB.id,
      }),
    )
    // A webhook endpoint of org B's with a delivery in its log, and org B's Zendesk connection.
    const { id: endpointId } = await addEndpoint(db, testEnv(), orgB.id, userB, {
      url: 'https://hooks.example.com/org-b',
      description: '',
      eventTypes: ['case.created'],
    })
    const [delivery] = await db<{ id: string }[]>`
      insert into webhook_deliveries (org_id, endpoint_id, event_type, payload, status)
      values (${orgB.id}, ${endpointId}, 'case.created', '{}', 'failed') returning id`
    await saveConnection(db, testEnv(), orgB.id, userB, {
      provider: 'zendesk',
      secret: 'org-b-zendesk-secret',
      priorityMap: defaultPriorityMap,
    })
    // Org B's admin's session: ending it takes its id.
    const [sessionRow] = await db<{ id: string }[]>`select id from sessions where user_id = ${userB.id}`
    b = {
      sessionId: sessionRow!.id,
      ...row!,
      userId: userB.id,
      runId,
      mailId: mail?.id ?? randomUUID(),
      actionId,
      rawId: autoReply.rawId,
      viewId: view!.id,
      tokenId,
      itemId,
      endpointId,
      deliveryId: delivery!.id,
    }
  })
  afterAll(() => db.end())

  const app = () => createTestApp(db)
  const routes = () => app().routes.filter((r) => r.method !== 'ALL' && portalRoute(r.path))
  const call = (method: string, path: string, fields: Record<string, string> = {}) =>
    method === 'GET'
      ? app().request(path, { headers: { accept: 'text/html', cookie: adminA.cookie } })
      : app().request(path, formPost(fields, { cookie: adminA.cookie }))

  it('enumerates the routes it covers', () => {
    const paths = routes().map((r) => `${r.method} ${r.path}`)
    expect(paths).toEqual(
      expect.arrayContaining([
        'GET /cases/:id',
        'GET /cases/:id/messages/:messageId/html',
        'GET /cases/:id/audit.csv',
        'POST /cases/:id/assign',
        'POST /cases/:id/acknowledge',
        'POST /cases/:id/severity',
        'POST /cases/:id/status',
        'POST /cases/:id/notes',
        'GET /import/:runId',
        'POST /admin/users/:id/role',
        'POST /admin/users/:id/disable',
        'GET /cases/:id/drafts',
        'POST /cases/:id/drafts',
        'POST /cases/:id/drafts/redraft',
        'POST /cases/:id/approval/request',
        'POST /cases/:id/approval/decide',
        'GET /cases/:id/review',
        'POST /cases/:id/review/actions/:actionId',
        'POST /cases/:id/review/complete',
        'POST /cases/:id/review/summary-draft',
        'POST /cases/:id/recovery',
        'POST /cases/:id/recovery/items',
        'POST /cases/:id/recovery/items/:itemId',
        'POST /cases/:id/recovery/check',
        'POST /cases/:id/correct/customer',
        'POST /cases/:id/correct/source',
        'POST /cases/:id/correct/reference',
        'POST /cases/:id/executive',
        'POST /cases/:id/merge',
        'GET /cases/:id/merged',
        'POST /not-escalations/:rawId/open',
        'POST /sessions/:id/revoke',
        'GET /admin/webhooks/:id',
        'POST /admin/webhooks/:id/disable',
        'POST /admin/webhooks/:id/deliveries/:deliveryId/replay',
        'POST /admin/helpdesk/:provider/delete',
        'POST /cases/:id/war-room',
        'POST /cases/:id/war-room/collaborators',
        'POST /cases/:id/war-room/checklist',
        'GET /cases/:id/internal-update',
        'POST /cases/:id/internal-update',
      ]),
    )
    for (const r of routes()) expect(() => fill(r.path, b)).not.toThrow()
  })

  it("answers 404 for another org's ids on every route, and changes nothing there", async () => {
    const before = await auditActions(db, orgB.id, b.caseId)
    for (const r of routes()) {
      // The dev mailbox is the developer's own loopback view of every org's held mail (README).
      if (r.path.startsWith('/dev/mailbox/')) continue
      const res = await call(r.method, fill(r.path, b), actionFields(adminA.id))
      expect({ route: `${r.method} ${r.path}`, status: res.status }).toEqual({ route: `${r.method} ${r.path}`, status: 404 })
      expect(await res.text()).not.toContain('Org B')
    }
    // The run of org B's import, by its id in the form body.
    const run = await call('POST', '/import/run', { runId: b.runId, allowPartial: '1' })
    expect(run.status).toBe(404)
    expect(await auditActions(db, orgB.id, b.caseId)).toEqual(before)
    const [bCase] = await withOrg(db, orgB.id, (tx) => tx`select owner_id, status from cases where id = ${b.caseId}`)
    expect(bCase).toMatchObject({ owner_id: null, status: 'new' })
    const [bUser] = await withOrg(db, orgB.id, (tx) => tx`select role, disabled_at from app_users where id = ${b.userId}`)
    expect(bUser).toMatchObject({ role: 'admin', disabled_at: null })
    const [bRun] = await withOrg(db, orgB.id, (tx) => tx`select state from import_runs where id = ${b.runId}`)
    expect(bRun).toMatchObject({ state: 'previewed' })
    const [bAction] = await withOrg(db, orgB.id, (tx) => tx`select status from prevention_actions where id = ${b.actionId}`)
    expect(bAction).toMatchObject({ status: 'open' })
    const [bSession] = await db`select revoked_at from sessions where id = ${b.sessionId}`
    expect(bSession).toMatchObject({ revoked_at: null })
    const [bItem] = await withOrg(db, orgB.id, (tx) => tx`select status from recovery_items where id = ${b.itemId}`)
    expect(bItem).toMatchObject({ status: 'open' })
    const [bEndpoint] = await withOrg(db, orgB.id, (tx) => tx`select enabled from webhook_endpoints where id = ${b.endpointId}`)
    expect(bEndpoint).toMatchObject({ enabled: true })
    const [bDelivery] = await withOrg(db, orgB.id, (tx) => tx`select status from webhook_deliveries where id = ${b.deliveryId}`)
    expect(bDelivery).toMatchObject({ status: 'failed' })
    expect(await withOrg(db, orgB.id, (tx) => tx`select provider from helpdesk_connections`)).toEqual([{ provider: 'zendesk' }])
  })

  it.each([
    ['not-a-uuid', '1'],
    ["' or 1=1 --", '-1'],
    ['00000000-0000-0000-0000-00000000000g', '99999999999999999999999'],
    [randomUUID(), '9223372036854775'],
  ])('answers 404, not 500, for malformed or unknown ids (%s, %s)', async (id, runId) => {
    const ids: Ids = {
      ...{ caseId: id, messageId: id, userId: id, runId, mailId: id, actionId: id, rawId: id, viewId: id, tokenId: id, sessionId: id },
      ...{ itemId: id, endpointId: id, deliveryId: id },
    }
    for (const r of routes()) {
      const res = await call(r.method, fill(r.path, ids).replaceAll("'", '%27').replaceAll(' ', '%20'), actionFields(adminA.id))
      expect({ route: `${r.method} ${r.path}`, status: res.status }).toEqual({ route: `${r.method} ${r.path}`, status: 404 })
    }
    expect((await call('POST', '/import/run', { runId })).status).toBe(404)
  })
})
