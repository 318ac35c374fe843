import { randomUUID } from 'node:crypto'
import { Parser } from 'htmlparser2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requestApproval } from '../../src/approvals/requests.ts'
import { issueLinkToken, linkSigningKey } from '../../src/auth/tokens.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import { createDevMailer } from '../../src/outbound/mailer.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { formPost, sameOrigin, sessionCookie } from '../support/auth.ts'
import { auditActions, seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { seedDraft } from '../support/drafts.ts'

const hostileHtml = [
  '<p>Hello <b>team</b></p>',
  '<script>alert(1)</script>',
  '<img src="x" onerror="alert(2)">',
  '<a href="javascript:alert(3)">click</a>',
  '<a href="https://shop.example/order/1" onclick="alert(4)">order</a>',
  '<img src="https://tracker.example/pixel.gif" alt="pixel">',
  '<style>body { background: url(https://tracker.example/bg.png) }</style>',
  '<link rel="stylesheet" href="https://tracker.example/x.css">',
  '<div style="position:fixed;top:0">overlay</div>',
  '<iframe src="https://evil.example/"></iframe><form action="https://evil.example/"><input name="pw"></form>',
  '<svg onload="alert(5)"><circle r="1"/></svg>',
].join('\n')

function hostileMail() {
  return new TextEncoder().encode(
    [
      'From: "Eve <img src=x onerror=alert(1)>" <eve@customer.test>',
      'To: escalations@example.com',
      'Subject: Refund <script>alert(1)</script> now',
      `Message-ID: <${randomUUID()}@customer.test>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Plain <script>alert(6)</script> text.',
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      '',
      hostileHtml,
      '--b1--',
      '',
    ].join('\r\n'),
  )
}

const nonceOf = (csp: string) => /script-src[^;]*'nonce-([^']+)'/.exec(csp)?.[1]

/** Every element that carries htmx attributes, and every script/style, with its attributes. */
function elements(html: string) {
  const htmx: { name: string; attribs: Record<string, string> }[] = []
  const inline: { name: string; attribs: Record<string, string> }[] = []
  const handlers: string[] = []
  const parser = new Parser({
    onopentag(name, attribs) {
      for (const a of Object.keys(attribs)) if (a.startsWith('on')) handlers.push(`${name} ${a}`)
      if (Object.keys(attribs).some((a) => a.startsWith('hx-') && a !== 'hx-nonce')) htmx.push({ name, attribs })
      if (name === 'script' || name === 'style') inline.push({ name, attribs })
    },
  })
  parser.write(html)
  parser.end()
  return { htmx, inline, handlers }
}

describe('portal security: CSP and nonces, escaping, the sanitized frame, CSRF', () => {
  let db: Db
  let org: Org
  let admin: { id: string; cookie: string }
  let caseId: string
  let messageId: string
  let endpointId: string
  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    const user = { ...(await seedUser(db, org.id, 'admin')), orgId: org.id }
    admin = { id: user.id, cookie: await sessionCookie(db, user) }
    const outcome = await ingestMessage(db, { orgId: org.id, raw: hostileMail(), provider: 'test' })
    const [row] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ caseId: string; messageId: string }[]>`
      select c.id as "caseId", m.id as "messageId" from cases c join messages m on m.case_id = c.id
      where 'ESC-' || c.number = ${outcome.case}`,
    )
    ;({ caseId, messageId } = row!)
    // A webhook endpoint, so its delivery log (/admin/webhooks/:id) is one of the pages walked.
    const [endpoint] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ id: string }[]>`
      insert into webhook_endpoints (org_id, url, description, event_types, secret_sealed, created_by)
      values (${org.id}, 'https://hooks.example.test/desk', 'CRM', array['case.created'], 'v1:AAAA:AAAA', ${admin.id}) returning id`,
    )
    endpointId = endpoint!.id
  })
  afterAll(() => db.end())

  const app = () => createTestApp(db)
  const get = (path: string, headers: Record<string, string> = {}) =>
    app().request(path, { headers: { accept: 'text/html', cookie: admin.cookie, ...headers } })

  /** The GET pages of the portal, read from the app, with this org's ids filled in. */
  async function pages(): Promise<string[]> {
    const form = new FormData()
    form.set('kind', 'cases')
    form.set('file', new File(['Name,Subject\nAna,Imported <b>row</b>\n'], 'x.csv'))
    const preview = await app().request('/import/preview', {
      method: 'POST',
      body: form,
      headers: { origin: sameOrigin, cookie: admin.cookie },
    })
    const runId = /name="runId" value="(\d+)"/.exec(await preview.text())![1]!
    // Files (attachments, uploads) are downloads, never pages: test/drafts/reply-files.test.ts checks their headers.
    const skip =
      /^\/(static|inbound|healthz|favicon\.ico|api\/)|\.csv$|\.jsonl$|\.md$|\.eml$|\/html$|\/attachments\/:attachmentId$|\/uploads\/:uploadId$|^\/sign-in\/confirm|^\/dev\/mailbox\/:id/
    return app()
      .routes.filter((r) => r.method === 'GET' && !skip.test(r.path))
      .map((r) =>
        r.path
          .replace(':runId', runId)
          .replace(/^\/admin\/webhooks\/:id$/, `/admin/webhooks/${endpointId}`)
          .replace(':id', caseId)
          .replace(':owner', 'unowned'),
      )
  }

  it('sends a strict CSP with a fresh nonce on every page; every script, style and htmx element carries it', async () => {
    const paths = await pages()
    expect(paths).toEqual(expect.arrayContaining(['/', '/queue/rows', `/cases/${caseId}`, '/cases/new', '/import', '/admin/users']))
    const nonces = new Set<string>()
    let checked = 0
    for (const path of [...paths, '/sign-in']) {
      const res = await get(path, path === '/sign-in' ? { cookie: '' } : {})
      // Some GET routes only redirect (to the page that shows the thing); the pages are checked.
      if (res.status >= 300 && res.status < 400) continue
      // A link page without its token says so (400), under the same CSP as every page.
      // So does the single sign-on callback without its flow cookie and the provider's answer.
      const expected = ['/approve', '/csat', '/confirm-resolution', '/escalation/ack', '/sign-in/sso/callback'].includes(path) ? 400 : 200
      expect({ path, status: res.status, html: res.headers.get('content-type')?.startsWith('text/html') }).toEqual({
        path,
        status: expected,
        html: true,
      })
      checked++
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/)
      expect(csp).toMatch(/default-src 'none'/)
      const nonce = nonceOf(csp)
      expect(nonce, path).toBeTruthy()
      nonces.add(nonce!)
      const { htmx, inline } = elements(await res.text())
      for (const el of [...htmx, ...inline]) {
        const attr = el.name === 'script' || el.name === 'style' ? 'nonce' : 'hx-nonce'
        expect({ path, el: el.name, nonce: el.attribs[attr] }).toEqual({ path, el: el.name, nonce })
      }
      if (['/', '/queue/rows', `/cases/${caseId}`, '/import'].includes(path)) expect(htmx.length, path).toBeGreaterThan(0)
    }
    expect(checked).toBeGreaterThanOrEqual(8)
    expect(nonces.size).toBe(checked) // never reused between responses
    // The stylesheet is sent as written: HTML escaping inside <style> would break `>` selectors.
    const page = await (await get('/')).text()
    expect(page).toContain('.case-main > .panel')
    expect(page).toContain('"Segoe UI"')
  })

  it('no page, fragment, link page or export is cached (Cache-Control: no-store); static files are', async () => {
    const key = await linkSigningKey(db, undefined)
    const approver = await seedUser(db, org.id, 'approver')
    const kase = await seedCase(db, org.id)
    await seedDraft(db, org.id, kase.id)
    const { invites } = await withOrg(db, org.id, (tx) => requestApproval(tx, { env: testEnv(), key }, org.id, kase.id, { id: admin.id }))
    const approveUrl = new URL(invites.find((i) => i.approverId === approver.id)!.url)
    const signIn = await withOrg(db, org.id, (tx) =>
      issueLinkToken(tx, key, { orgId: org.id, userId: admin.id, purpose: 'sign_in', ttlSeconds: 900 }),
    )
    const held = await createDevMailer(db).send({ orgId: org.id, to: 'held@example.test', subject: 'Held', text: 'a held message' })
    const paths = [
      ...(await pages()),
      `/cases/${caseId}/audit.csv`,
      '/admin/audit.csv',
      '/metrics.csv',
      `/cases/${caseId}/review.md`,
      `/cases/${caseId}/messages/${messageId}/html`,
      `/dev/mailbox/${held.id}`,
      `${approveUrl.pathname}${approveUrl.search}`,
      `/sign-in/confirm?token=${signIn.token}`,
      '/no/such/page',
    ]
    expect(paths).toEqual(expect.arrayContaining(['/', '/queue/rows', `/cases/${caseId}`, '/metrics', '/dev/mailbox', '/approve']))
    const cached: string[] = []
    for (const path of paths) {
      const res = await get(path)
      if (!/(^|,)\s*no-store\s*(,|$)/.test(res.headers.get('cache-control') ?? ''))
        cached.push(`${path} (${res.status}): ${res.headers.get('cache-control')}`)
    }
    const fragment = await app().request(
      `/cases/${caseId}/notes`,
      formPost({ text: 'cache check' }, { cookie: admin.cookie, 'hx-request': 'true' }),
    )
    if (fragment.headers.get('cache-control') !== 'no-store') cached.push(`POST notes fragment: ${fragment.headers.get('cache-control')}`)
    expect(cached).toEqual([])
    expect((await get('/static/htmx.min.js')).headers.get('cache-control')).toBe('public, max-age=3600')
  })

  it('htmx fragments carry the nonce of their own response', async () => {
    const res = await app().request(
      `/cases/${caseId}/notes`,
      formPost({ text: 'nonce check' }, { cookie: admin.cookie, 'hx-request': 'true' }),
    )
    expect(res.status).toBe(200)
    const nonce = nonceOf(res.headers.get('content-security-policy') ?? '')
    const { htmx } = elements(await res.text())
    expect(htmx.length).toBeGreaterThan(0)
    for (const el of htmx) expect(el.attribs['hx-nonce']).toBe(nonce)
  })

  it('escapes every user-supplied string: subject, sender, mail text, import rows', async () => {
    const page = await (await get(`/cases/${caseId}`)).text()
    expect(page).toContain('Refund &lt;script&gt;alert(1)&lt;/script&gt; now')
    expect(page).toContain('Plain &lt;script&gt;alert(6)&lt;/script&gt; text.')
    expect(page).not.toMatch(/<script>alert|<img src=x/)
    expect(page).toContain('Eve &lt;img src=x onerror=alert(1)&gt;')
    const { inline, handlers } = elements(page)
    expect(inline.every((el) => el.attribs.nonce)).toBe(true) // no script without the nonce
    expect(handlers).toEqual([]) // no element carries an event-handler attribute
    const queue = await (await get('/')).text()
    expect(queue).toContain('Refund &lt;script&gt;alert(1)&lt;/script&gt; now')
    expect(queue).not.toContain('<script>alert')
  })

  it('shows customer HTML only sanitized, in a sandboxed frame under its own CSP', async () => {
    const page = await (await get(`/cases/${caseId}`)).text()
    expect(page).toMatch(
      new RegExp(
        `<iframe class="mail-html" sandbox="" referrerpolicy="no-referrer" loading="lazy" src="/cases/${caseId}/messages/${messageId}/html"`,
      ),
    )
    const res = await get(`/cases/${caseId}/messages/${messageId}/html`)
    expect(res.status).toBe(200)
    const csp = res.headers.get('content-security-policy') ?? ''
    expect(csp).toMatch(/default-src 'none'/)
    expect(csp.split(';').map((d) => d.trim())).toContain('sandbox')
    expect(csp).not.toMatch(/script-src|unsafe-eval/)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    const html = await res.text()
    expect(html).toContain('<p>Hello <b>team</b></p>')
    expect(html).toContain('href="https://shop.example/order/1"')
    for (const banned of [
      '<script',
      'alert(',
      'onerror',
      'onclick',
      'onload',
      'javascript:',
      'tracker.example',
      '<style',
      '<link',
      'position:fixed',
      '<iframe',
      '<form',
      '<input',
      '<svg',
    ]) {
      expect(html, banned).not.toContain(banned)
    }
  })

  it('refuses cross-origin form posts (403) to every case action, /cases and the import, and accepts the same origin', async () => {
    const kase = await seedCase(db, org.id)
    const before = await auditActions(db, org.id, kase.id)
    const targets: [string, Record<string, string>][] = [
      [`/cases/${kase.id}/assign`, { ownerId: admin.id }],
      [`/cases/${kase.id}/acknowledge`, {}],
      [`/cases/${kase.id}/severity`, { severity: 'SEV-1', reason: 'csrf' }],
      [`/cases/${kase.id}/status`, { status: 'in_progress', reason: 'csrf' }],
      [`/cases/${kase.id}/notes`, { text: 'csrf' }],
      [
        '/cases',
        { source: 'form', customerName: 'Mallory', subject: 'Forged case', summary: 'A forged escalation body', severity: 'SEV-1' },
      ],
      ['/import/run', { runId: '1' }],
    ]
    const crossOrigin: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    ]
    for (const [path, fields] of targets) {
      for (const headers of crossOrigin) {
        const res = await app().request(path, formPost(fields, { cookie: admin.cookie, ...headers }))
        expect({ path, status: res.status }).toEqual({ path, status: 403 })
      }
    }
    const upload = new FormData()
    upload.set('file', new File(['Name,Subject\nA,B\n'], 'x.csv'))
    const evilUpload = await app().request('/import/preview', {
      method: 'POST',
      body: upload,
      headers: { origin: 'https://evil.example', cookie: admin.cookie },
    })
    expect(evilUpload.status).toBe(403)
    expect(await auditActions(db, org.id, kase.id)).toEqual(before)
    const [forged] = await withOrg(db, org.id, (tx) => tx`select count(*)::int as n from cases where subject = 'Forged case'`)
    expect(forged!.n).toBe(0)

    for (const [path, fields] of targets.slice(0, 6)) {
      const res = await app().request(path, formPost(fields, { cookie: admin.cookie }))
      expect({ path, ok: res.status !== 403 }).toEqual({ path, ok: true })
    }
    expect((await auditActions(db, org.id, kase.id)).length).toBeGreaterThan(before.length)
  })
})
