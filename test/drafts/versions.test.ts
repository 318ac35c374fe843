import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runJobsOnce } from '../../src/jobs/runner.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { auditActions, seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

describe('draft versions on the case page', () => {
  let db: Db
  let org: Org
  let agent: { id: string; email: string }
  let cookie: string
  let app: ReturnType<typeof createTestApp>
  const htmx = { 'hx-request': 'true' }

  const versions = (caseId: string) =>
    withOrg(
      db,
      org.id,
      (tx) => tx<
        {
          version: number
          author_kind: string
          author: string
          author_id: string | null
          guardrail_flags: { code: string; severity: string }[]
        }[]
      >`
      select version, author_kind, author, author_id, guardrail_flags from drafts where case_id = ${caseId} order by version`,
    )

  async function draftedCase() {
    const c = await seedCase(db, org.id, { from: 'Pat Customer <pat@customer.test>', subject: 'Broken order' })
    await runJobsOnce({ db, env: testEnv(), handlers: jobHandlers() }, { orgId: org.id })
    return c
  }
  const edit = (caseId: string, fields: Record<string, string>, headers: Record<string, string> = htmx) =>
    app.request(
      `/cases/${caseId}/drafts`,
      formPost({ baseVersion: '1', to: 'pat@customer.test', subject: 'Re: Broken order', ...fields }, { cookie, ...headers }),
    )

  beforeAll(async () => {
    db = testDb(6)
    org = await seedOrg(db)
    agent = await seedUser(db, org.id, 'agent')
    cookie = await sessionCookie(db, { id: agent.id, orgId: org.id })
    app = createTestApp(db)
  })
  afterAll(() => db.end())

  it('shows the current version: author, why a template, the text, missing facts, recovery, and forms with hx-nonce', async () => {
    const c = await draftedCase()
    const res = await app.request(`/cases/${c.id}`, { headers: { cookie } })
    expect(res.status).toBe(200)
    const page = await res.text()
    const section = page.slice(page.indexOf('<section class="panel" id="draft">'), page.indexOf('id="timeline"'))
    expect(section).toContain('<strong>Version 1</strong> · Template · first reply')
    expect(section).toContain('Template used because no OpenAI key is configured.')
    expect(section).toContain('Dear Pat Customer,')
    expect(section).toContain('Facts the writer did not have')
    expect(section).toContain('Recommended recovery:')
    expect(section).toContain('The approver must acknowledge:')
    expect(section).not.toContain('Approval is blocked')
    // Every htmx element carries this response's nonce (the hx-csp gate strips any that do not).
    const nonce = /<script nonce="([^"]+)"/.exec(page)![1]
    const htmxTags = section.match(/<[^>]+\shx-(?:post|get)=[^>]*>/g) ?? []
    expect(htmxTags.length).toBeGreaterThanOrEqual(2)
    for (const tag of htmxTags) expect(tag).toContain(`hx-nonce="${nonce}"`)
    expect(page).toContain('The desk wrote draft version 1 from a template (no api key)')
  })

  it('an edit is a new version by the person, guardrails run again, blockers show first, and the diff is escaped', async () => {
    const c = await draftedCase()
    const body = 'Dear [Name],\n\nThis was entirely our fault. <script>alert(1)</script>\n\nKind regards'
    const res = await edit(c.id, { body })
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html.startsWith('<section class="panel" id="draft">')).toBe(true)
    expect(html).toContain('Saved as version 2. 1 problem must be fixed before approval.')
    expect(html).toContain('<strong>Version 2</strong> · agent user')
    expect(html.indexOf('Approval is blocked until this is fixed:')).toBeLessThan(html.indexOf('The approver must acknowledge:'))
    expect(html).toContain('data-flag="placeholder"')
    expect(html).toContain('data-flag="liability_admission"')
    expect(html).toContain('Changes from version 1 (Template)')
    expect(html).toMatch(/<ins>[^<]*\[Name\],/)
    expect(html).toContain('<del>')
    expect(html).not.toContain('<script>alert(1)')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    const rows = await versions(c.id)
    expect(rows.map((r) => [r.version, r.author_kind, r.author_id])).toEqual([
      [1, 'template', null],
      [2, 'user', agent.id],
    ])
    // The template's missing facts are still missing: the edit keeps that warning too.
    expect(rows[1]!.guardrail_flags.map((f) => `${f.code}:${f.severity}`)).toEqual([
      'liability_admission:warn',
      'placeholder:block',
      'missing_facts:warn',
    ])
    expect((await auditActions(db, org.id, c.id)).at(-1)).toMatchObject({
      action: 'draft.create',
      actorId: agent.id,
      details: { version: 2, authorKind: 'user', basedOn: 1, blockers: 1 },
    })
  })

  it('a recipient who is not on the case blocks approval', async () => {
    const c = await draftedCase()
    const res = await edit(c.id, {
      to: 'pat@customer.test, stranger@else.test',
      body: 'Dear Pat,\n\nAn update on your order is coming today.',
    })
    expect(await res.text()).toContain('data-flag="wrong_recipient"')
    expect((await versions(c.id))[1]!.guardrail_flags).toEqual([
      expect.objectContaining({ code: 'wrong_recipient', severity: 'block', evidence: 'stranger@else.test' }),
      expect.objectContaining({ code: 'missing_facts', severity: 'warn' }),
    ])
  })

  it('refuses a save over a version the editor never saw, keeping their text', async () => {
    const c = await draftedCase()
    await edit(c.id, { body: 'First editor wins.' })
    const res = await edit(c.id, { body: 'Second editor, stale.' })
    expect(res.status).toBe(409)
    const html = await res.text()
    expect(html).toContain('Version 2 was saved while you were editing (by agent user)')
    expect(html).toContain('Second editor, stale.')
    expect((await versions(c.id)).map((r) => r.version)).toEqual([1, 2])
  })

  it('saving unchanged text makes no version; bad input re-renders the form with the problem', async () => {
    const c = await draftedCase()
    const [current] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ subject: string; body: string }[]>`select subject, body from drafts where case_id = ${c.id}`,
    )
    const same = await edit(c.id, { subject: current!.subject, body: current!.body })
    expect(await same.text()).toContain('Nothing changed, so no new version was saved.')
    const bad = await edit(c.id, { to: 'not-an-address', body: '   ' })
    expect(bad.status).toBe(422)
    const html = await bad.text()
    expect(html).toContain('&quot;not-an-address&quot; is not an email address.')
    expect(html).toContain('The reply is empty.')
    expect((await versions(c.id)).map((r) => r.version)).toEqual([1])
  })

  it('without htmx, a save redirects back to the case', async () => {
    const c = await draftedCase()
    const res = await edit(c.id, { body: 'Plain form post.' }, {})
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/cases/${c.id}#draft`)
  })

  it('while a draft job is pending the section polls for it, with its nonce', async () => {
    const c = await seedCase(db, org.id)
    const res = await app.request(`/cases/${c.id}/drafts`, { headers: { cookie, ...htmx } })
    const html = await res.text()
    expect(html).toMatch(
      /<p class="muted" id="draft-pending" hx-get="\/cases\/[^"]+\/drafts" hx-trigger="every 3s" hx-target="#draft" hx-swap="outerHTML" hx-nonce="[^"]+">/,
    )
    await runJobsOnce({ db, env: testEnv(), handlers: jobHandlers() }, { orgId: org.id })
    const after = await (await app.request(`/cases/${c.id}/drafts`, { headers: { cookie, ...htmx } })).text()
    expect(after).not.toContain('draft-pending')
    expect(after).toContain('Version 1')
  })

  it("another org's case is a 404 for every draft route, and nothing is written", async () => {
    const other = await seedOrg(db)
    const theirs = await seedCase(db, other.id)
    expect((await app.request(`/cases/${theirs.id}/drafts`, { headers: { cookie, ...htmx } })).status).toBe(404)
    expect((await edit(theirs.id, { body: 'Sneaky.' })).status).toBe(404)
    expect((await app.request(`/cases/${theirs.id}/drafts/redraft`, formPost({ instruction: 'x' }, { cookie, ...htmx }))).status).toBe(404)
    expect((await app.request('/cases/not-a-uuid/drafts', { headers: { cookie } })).status).toBe(404)
    const [row] = await withOrg(
      db,
      other.id,
      (tx) => tx`select (select count(*)::int from drafts) as drafts, (select count(*)::int from jobs) as jobs`,
    )
    expect(row).toEqual({ drafts: 0, jobs: 1 })
  })

  it('admins turn AI drafting off and set the signature; audited; agents cannot', async () => {
    const admin = await seedUser(db, org.id, 'admin')
    const adminCookie = await sessionCookie(db, { id: admin.id, orgId: org.id })
    expect((await app.request('/admin/drafting', { headers: { cookie } })).status).toBe(403)
    const page = await (await app.request('/admin/drafting', { headers: { cookie: adminCookie } })).text()
    expect(page).toContain('name="ai_enabled" checked')
    const res = await app.request(
      '/admin/drafting',
      formPost({ sender_name: 'Jane Doe, CEO', signature: 'Jane Doe\r\nCEO, Example Corp' }, { cookie: adminCookie }),
    )
    expect(res.status).toBe(200)
    const [o] = await db`select settings from orgs where id = ${org.id}`
    expect(o!.settings).toMatchObject({ ai_enabled: false, sender_name: 'Jane Doe, CEO', signature: 'Jane Doe\nCEO, Example Corp' })
    const c = await draftedCase()
    const [d] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ body: string; fallback_reason: string }[]>`select body, fallback_reason from drafts where case_id = ${c.id}`,
    )
    expect(d!.fallback_reason).toBe('ai_disabled')
    expect(d!.body.endsWith('Jane Doe\nCEO, Example Corp')).toBe(true)
    const [event] = await withOrg(
      db,
      org.id,
      (tx) => tx`select actor_id, details from audit_events where action = 'org.drafting_change' order by seq desc limit 1`,
    )
    expect(event).toMatchObject({ actor_id: admin.id, details: { before: { ai_enabled: true }, after: { ai_enabled: false } } })
    await db`update orgs set settings = settings || '{"ai_enabled": true}' where id = ${org.id}`
  })

  it('the app role cannot change or delete a version: versions are append-only', async () => {
    const c = await draftedCase()
    await expect(withOrg(db, org.id, (tx) => tx`update drafts set body = 'changed' where case_id = ${c.id}`)).rejects.toThrow(
      /permission denied/,
    )
    await expect(withOrg(db, org.id, (tx) => tx`delete from drafts where case_id = ${c.id}`)).rejects.toThrow(/permission denied/)
  })

  it('a subject is one line: line breaks and control characters typed into an edit become spaces', async () => {
    const c = await draftedCase()
    const res = await edit(c.id, {
      subject: 'Re: Refund please\r\nBcc: spy@attacker.test\u0085X-Injected:\u2028yes\t',
      body: 'Dear Pat,\n\nAn update is coming today.',
    })
    expect(res.status).toBe(200)
    expect(
      (await withOrg(db, org.id, (tx) => tx<{ subject: string }[]>`select subject from drafts where case_id = ${c.id} and version = 2`))[0]!
        .subject,
    ).toBe('Re: Refund please Bcc: spy@attacker.test X-Injected: yes')
  })

  it('a drafted subject is one line even when the case subject is not, and the database refuses multi-line subjects', async () => {
    const c = await seedCase(db, org.id, { from: 'Pat Customer <pat@customer.test>' })
    await db`update cases set subject = ${'Refund please\r\nBcc: spy@attacker.test'}, original_subject = null where id = ${c.id}`
    await runJobsOnce({ db, env: testEnv(), handlers: jobHandlers() }, { orgId: org.id, limit: 20 })
    const [drafted] = await withOrg(db, org.id, (tx) => tx<{ subject: string }[]>`select subject from drafts where case_id = ${c.id}`)
    expect(drafted!.subject).toBe('Re: Refund please Bcc: spy@attacker.test')
    await expect(
      withOrg(
        db,
        org.id,
        (tx) => tx`
      insert into drafts (org_id, case_id, version, author_kind, author, purpose, to_emails, subject, body)
      values (${org.id}, ${c.id}, 9, 'template', 'template', 'reply', ${['pat@customer.test']}, ${'Re: x\r\nBcc: spy@attacker.test'}, 'Body')`,
      ),
    ).rejects.toThrow(/drafts_subject_one_line/)
  })
})
