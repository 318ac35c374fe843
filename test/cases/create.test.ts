import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { importAccounts } from '../../src/imports/accounts.ts'
import { importCases } from '../../src/imports/cases.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

// Every way a case comes in (mail, the portal form, a CSV row) makes the same kind of case:
// a reply draft queued, a reply token of one size, the account linked by one rule.

const sheet =
  (...rows: string[]) =>
  () =>
    (async function* () {
      yield ['Name,Email,Subject,Description,Account,Status', ...rows].join('\n')
    })()
const actor = { kind: 'system' as const, id: 'test' }

describe('one way to create a case', () => {
  let db: Db
  let org: Org
  let cookie: string
  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    cookie = await sessionCookie(db, { ...(await seedUser(db, org.id, 'agent')), orgId: org.id })
    await withOrg(
      db,
      org.id,
      (tx) => tx`
      insert into accounts (org_id, domain, name) values (${org.id}, 'bigco.test', 'BigCo'), (${org.id}, 'mail.test', 'Mail host')`,
    )
  })
  afterAll(() => db.end())

  const caseBy = (subject: string) =>
    withOrg(db, org.id, async (tx) => {
      const [row] = await tx<{ id: string; replyToken: string; account: string | null; drafts: number }[]>`
      select c.id, c.reply_token as "replyToken", a.domain as account,
             (select count(*)::int from jobs j where j.kind = 'draft' and j.payload->>'caseId' = c.id::text) as drafts
      from cases c left join accounts a on a.id = c.account_id where c.subject = ${subject}`
      return row!
    })

  it('queues a reply draft for a new case whichever way it came in: mail, the form, a CSV row', async () => {
    await seedCase(db, org.id, { from: 'Pat <pat@mail.test>', subject: 'From mail' })
    const form = await createTestApp(db).request(
      '/cases',
      formPost(
        {
          source: 'form',
          customerName: 'Bo',
          customerEmail: 'bo@mail.test',
          subject: 'From the form',
          summary: 'Called in about a refund.',
          severity: 'SEV-3',
        },
        { cookie },
      ),
    )
    expect(form.status).toBe(303)
    const report = await importCases(db, org, sheet('Cy,cy@mail.test,From a sheet,Wrote in,,'), { actor })
    expect(report).toMatchObject({ ok: true, created: 1, drafted: 1 })
    for (const subject of ['From mail', 'From the form', 'From a sheet']) expect((await caseBy(subject)).drafts, subject).toBe(1)
  })

  it('imports without drafts when asked, and never drafts for a case that arrives closed', async () => {
    const quiet = await importCases(db, org, sheet('Di,di@mail.test,Backfilled,Old case,,'), { actor, drafts: false })
    expect(quiet).toMatchObject({ ok: true, created: 1, drafted: 0 })
    expect((await caseBy('Backfilled')).drafts).toBe(0)
    const closed = await importCases(db, org, sheet('Ed,ed@mail.test,Long closed,Settled last year,,closed'), { actor })
    expect(closed).toMatchObject({ ok: true, created: 1, drafted: 0 })
    expect((await caseBy('Long closed')).drafts).toBe(0)
  })

  it('gives every case a reply token of the same size', async () => {
    const tokens = await Promise.all(['From mail', 'From the form', 'From a sheet'].map(async (s) => (await caseBy(s)).replyToken))
    expect(new Set(tokens.map((t) => t.length)).size).toBe(1)
    expect(tokens[0]!.length).toBeGreaterThanOrEqual(22) // at least 128 random bits
  })

  it('links the account by one rule: the one a sheet names, else the email domain, and later imports catch up', async () => {
    expect((await caseBy('From mail')).account).toBe('mail.test')
    expect((await caseBy('From the form')).account).toBe('mail.test')
    await importCases(db, org, sheet('Fay,fay@mail.test,Named account,Wrote in,bigco.test,'), { actor })
    expect((await caseBy('Named account')).account).toBe('bigco.test')
    // A sheet may name an account the desk does not know yet; importing the account links it.
    await importCases(db, org, sheet('Gus,gus@elsewhere.test,Account later,Wrote in,newco.test,'), { actor })
    expect((await caseBy('Account later')).account).toBeNull()
    const accounts = await importAccounts(
      db,
      org,
      () =>
        (async function* () {
          yield 'Domain,Name\nnewco.test,NewCo\n'
        })(),
      { actor },
    )
    expect(accounts).toMatchObject({ ok: true, linkedCases: 1 })
    expect((await caseBy('Account later')).account).toBe('newco.test')
  })
})
