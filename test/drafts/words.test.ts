import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dateHeaderOffset, loadDraftContext, promisedTime, type DraftContext } from '../../src/drafts/context.ts'
import { renderTemplate } from '../../src/drafts/templates.ts'
import { replyRoute } from '../../src/drafts/recipient.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { listDraftVersions } from '../../src/drafts/queries.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { saveEditedDraft } from '../../src/drafts/edits.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runJobsOnce } from '../../src/jobs/runner.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

// What the template drafts say to a customer (issue 17, "Words"): the angry subject is never
// quoted back, times are in the customer's zone when their mail showed it (else the org's) and
// never a bare UTC time, "writing" only when they wrote, and a redraft without AI says it cannot
// follow an instruction instead of filing a template as "redrafted on request".

const angry = 'SCAM!!! WORST SERVICE EVER, you thieves stole my money'
const now = new Date('2026-11-24T10:00:00Z')

function context(
  over: { source?: DraftContext['kase']['source']; timezone?: string; customerTimeZone?: string | null; customerWrote?: boolean } = {},
): DraftContext {
  const party = {
    customerName: 'Pat Customer',
    customerEmail: 'pat@customer.test',
    channelKind: null,
    channelName: null,
    channelEmail: null,
  }
  return {
    now,
    org: { name: 'Example Corp', timezone: over.timezone ?? 'UTC', settings: { ai_enabled: true, signature: '', sender_name: '' } },
    kase: {
      id: '00000000-0000-4000-8000-000000000001',
      number: 1042,
      source: over.source ?? 'direct',
      severity: 'SEV-2',
      caseType: 'service',
      status: 'new',
      subject: angry,
      originalSubject: angry,
      summary: 'It never came.',
      ...party,
      language: null,
      externalRef: null,
      openedAt: now,
      firstResponseAt: null,
      firstResponseDueAt: new Date('2026-11-24T11:00:00Z'),
      resolutionDueAt: new Date('2026-11-24T18:00:00Z'),
      nextUpdateAt: new Date('2026-11-24T12:00:00Z'),
      hasMessages: true,
    },
    thread: [],
    customerTimeZone: over.customerTimeZone ?? null,
    customerWrote: over.customerWrote ?? true,
    account: null,
    earlierCases: [],
    latest: null,
    replyRoute: replyRoute(party, null),
  }
}

describe('the words of template drafts', () => {
  it('never quotes the subject back, in any template', () => {
    for (const source of ['direct', 'ceo_inbox', 'bbb', 'social', 'lawyer', 'regulator', 'form'] as const) {
      for (const purpose of ['reply', 'update', 'resolution'] as const) {
        const t = renderTemplate(context({ source }), purpose)
        expect(t.body, `${source} ${purpose}`).not.toContain('SCAM')
        expect(t.body, `${source} ${purpose}`).not.toContain('thieves')
        expect(t.body, `${source} ${purpose}`).toContain('ESC-1042')
      }
    }
    // The subject line stays the thread's: "Re: " and theirs.
    expect(renderTemplate(context(), 'reply').subject).toBe(`Re: ${angry}`)
  })

  it("times: the customer's zone from their own mail, else the org's, else a duration (never a bare UTC time)", () => {
    expect(renderTemplate(context({ customerTimeZone: '+05:30', timezone: 'Europe/Paris' }), 'reply').body).toContain(
      'we will update you by 17:30 GMT+5:30 on Tuesday 24 November',
    )
    expect(renderTemplate(context({ timezone: 'Europe/Paris' }), 'reply').body).toContain(
      'we will update you by 13:00 CET on Tuesday 24 November',
    )
    const utc = renderTemplate(context({ timezone: 'UTC' }), 'reply').body
    expect(utc).toContain('we will update you within 2 hours')
    expect(utc).not.toMatch(/UTC|GMT/)
    expect(
      promisedTime({ org: { timezone: 'UTC' } as DraftContext['org'], customerTimeZone: null, now }, new Date('2026-11-24T10:20:00Z')),
    ).toBe('within 20 minutes')
    expect(
      promisedTime({ org: { timezone: 'Etc/UTC' } as DraftContext['org'], customerTimeZone: null, now }, new Date('2026-11-27T10:00:00Z')),
    ).toBe('within 3 days')
  })

  it("reads the customer's offset from their mail's Date header; +0000 says nothing", () => {
    const head = (date: string) =>
      new TextEncoder().encode(`From: a@b.test\r\nDate: ${date}\r\nSubject: x\r\n\r\nDate: Mon, 1 Jan 2026 00:00:00 +0900\r\n`)
    expect(dateHeaderOffset(head('Tue, 24 Nov 2026 09:12:00 +0100'))).toBe('+01:00')
    expect(dateHeaderOffset(head('Tue, 24 Nov 2026 09:12:00 -0430 (VET)'))).toBe('-04:30')
    expect(dateHeaderOffset(head('Tue, 24 Nov 2026 09:12:00 +0000'))).toBeNull()
    expect(dateHeaderOffset(head('whenever'))).toBeNull()
    expect(dateHeaderOffset(new TextEncoder().encode('Subject: x\r\n\r\nDate: Tue, 24 Nov 2026 09:12:00 +0100\r\n'))).toBeNull()
  })

  it('"writing" only when the customer wrote: a phoned-in case is thanked for getting in touch', () => {
    expect(renderTemplate(context({ customerWrote: true }), 'reply').body).toContain('Thank you for writing to us.')
    const phoned = renderTemplate(context({ source: 'form', customerWrote: false }), 'reply').body
    expect(phoned).toContain('Thank you for getting in touch with us.')
    expect(phoned).not.toMatch(/writing|wrote/)
  })
})

describe('the words, against the database', () => {
  let db: Db
  let org: Org
  let cookie: string

  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    const agent = await seedUser(db, org.id, 'agent')
    cookie = await sessionCookie(db, { id: agent.id, orgId: org.id })
  })
  afterAll(() => db.end())

  it("a customer's own mail gives their zone; a forward does not", async () => {
    const own = await seedCase(db, org.id, { from: 'Pat <pat@customer.test>', headers: [] })
    await db`update inbound_raw set raw = convert_to(replace(convert_from(raw, 'UTF8'), '+0000', '+0200'), 'UTF8') where case_id = ${own.id}`
    const ctx = await withOrg(db, org.id, (tx) => loadDraftContext(tx, own.id))
    expect(ctx!.customerTimeZone).toBe('+02:00')
    expect(ctx!.customerWrote).toBe(true)
  })

  it('Redraft with an instruction and no AI key: says it cannot follow instructions, offers the template, saves nothing', async () => {
    const c = await seedCase(db, org.id)
    const app = createTestApp(db)
    const res = await app.request(
      `/cases/${c.id}/drafts/redraft`,
      formPost({ instruction: 'Make it shorter' }, { cookie, 'hx-request': 'true' }),
    )
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toContain('cannot follow an instruction')
    expect(html).toContain('empty the instruction and press Redraft for a fresh template')
    expect(html).not.toContain('Redrafted on request')
    expect(await withOrg(db, org.id, (tx) => listDraftVersions(tx, c.id, 5))).toHaveLength(0)
    // Without an instruction, Redraft writes the template.
    const plain = await app.request(`/cases/${c.id}/drafts/redraft`, formPost({ instruction: '' }, { cookie, 'hx-request': 'true' }))
    expect(plain.status).toBe(200)
    const [v1] = await withOrg(db, org.id, (tx) => listDraftVersions(tx, c.id, 1))
    expect(v1).toMatchObject({ authorKind: 'template', instruction: null })
  })
})

describe('an edit keeps the facts the writer lacked', () => {
  let db: Db
  let org: Org

  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
  })
  afterAll(() => db.end())

  it("an approver's edit keeps the missing-facts warning of the version it changed, for approval to confirm", async () => {
    const approver = await seedUser(db, org.id, 'approver')
    const c = await seedCase(db, org.id)
    await runJobsOnce({ db, env: testEnv(), handlers: jobHandlers(), log: () => {} }, { orgId: org.id })
    const [v1] = await withOrg(db, org.id, (tx) => listDraftVersions(tx, c.id, 1))
    expect(v1!.guardrailFlags.map((f) => f.code)).toContain('missing_facts')
    const saved = await withOrg(db, org.id, (tx) =>
      saveEditedDraft(tx, org.id, c.id, approver, {
        to: v1!.toEmails.join(','),
        subject: v1!.subject,
        body: 'Dear Pat,\n\nWe are on it and will write again today.\n\nKind regards',
        baseVersion: String(v1!.version),
      }),
    )
    expect(saved.ok).toBe(true)
    const [v2] = await withOrg(db, org.id, (tx) => listDraftVersions(tx, c.id, 1))
    expect(v2!.missingFacts).toEqual(v1!.missingFacts)
    expect(v2!.guardrailFlags).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'missing_facts', severity: 'warn' })]))
  })
})
