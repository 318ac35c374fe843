import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import { insertOrg, insertUser, type Org } from '../../src/orgs/queries.ts'
import { evalRoot } from '../eval/intake-eval.ts'
import { testDb } from '../support/db.ts'

// Copies of one complaint land in one case through the database: every dedupe key of every
// message filed on a case is the case's (case_keys), so a copy that shares any one of them,
// or refers to the forwarded original's Message-ID, finds it; the same reference is one case.

const fixture = async (name: string) => new Uint8Array(await readFile(join(evalRoot, 'main', name)))

describe('dedupe across channels and clients, in the database', () => {
  let db: Db
  let org: Org
  beforeAll(async () => {
    db = testDb(8)
    const slug = `nwd-${randomBytes(4).toString('hex')}`
    org = await insertOrg(db, {
      slug,
      name: 'Northwind Outfitters',
      inboundAddresses: ['escalations@northwind.example'],
      domains: ['northwind.example', 'northwind.de', 'northwind-outfitters.example'],
      executiveForwarders: ['dana.ruiz@northwind.example', 'ceo@northwind.example'],
    })
    for (const [email, name] of [
      ['dana.ruiz@northwind.example', 'Dana Ruiz'],
      ['k.ito@northwind.example', 'Kenji Ito'],
      ['t.baker@northwind.example', 'Tom Baker'],
    ]) {
      await insertUser(db, org.id, { email: email!, name: name!, role: 'agent' })
    }
  })
  afterAll(() => db.end())

  const ingest = (raw: Uint8Array) => ingestMessage(db, { orgId: org.id, raw, provider: 'test' })
  const caseKeys = (label: string) =>
    withOrg(
      db,
      org.id,
      (tx) => tx<{ key: string }[]>`
    select k.key from case_keys k join cases c on c.id = k.case_id where 'ESC-' || c.number = ${label}`,
    )

  it('the same mail forwarded by the CEO from Outlook and by an account manager from Outlook for iOS, at the same moment: one case', async () => {
    const [a, b] = await Promise.all([
      ingest(await fixture('sev1/002-b2b-api-outage-to-ceo-fwd-outlook.eml')),
      ingest(await fixture('sev1/003-b2b-api-outage-cc-copy-fwd-account-manager-outlook-ios.eml')),
    ])
    expect([a.status, b.status].sort()).toEqual(['created', 'threaded'])
    expect(a.case).toBe(b.case)
    const [messages] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ n: number }[]>`
      select count(*)::int as n from messages m join cases c on c.id = m.case_id where 'ESC-' || c.number = ${a.case}`,
    )
    expect(messages!.n).toBe(2)
    expect((await caseKeys(a.case!)).length).toBeGreaterThan(1)
  })

  it("a journalist's follow-up that refers only to the forwarded original's Message-ID joins that case", async () => {
    const first = await ingest(await fixture('press-social/001-journalist-tv-deadline-fwd-press-owa.eml'))
    expect(first.status).toBe('created')
    expect((await caseKeys(first.case!)).map((k) => k.key)).toContain(
      'mid:CAGv2k7J0m=Yq8Tz4eBx1LcR5nPf9Hd3Ws6Ua2Ko0Vi7Mj4Ng@mail.gmail.com',
    )
    const followUp = await ingest(await fixture('press-social/009-journalist-follow-up-in-thread.eml'))
    expect(followUp).toMatchObject({ status: 'threaded', case: first.case })
    const [row] = await withOrg(db, org.id, (tx) => tx`select threaded_by from messages where raw_id = ${followUp.rawId}`)
    expect(row!.threaded_by).toBe('in_reply_to')
  })

  it("a BBB notice and the consumer's own mail quoting its complaint number: one case", async () => {
    const notice = await ingest(await fixture('notices/001-bbb-new-complaint-portal.eml'))
    const [kase] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ ref: string }[]>`select external_ref as ref from cases where 'ESC-' || number = ${notice.case}`,
    )
    const consumer = await ingest(
      new TextEncoder().encode(
        [
          'From: Gregory Hartley <ghartley58@comcast.net>',
          'To: escalations@northwind.example',
          'Subject: About my BBB complaint',
          `Message-ID: <${randomBytes(6).toString('hex')}@comcast.net>`,
          'Date: Wed, 7 Oct 2026 09:12:00 -0700',
          'Content-Type: text/plain; charset=utf-8',
          '',
          `Hello, I filed BBB complaint #${kase!.ref.replace('BBB-', '')} last week and want to add that the replacement still has not shipped.`,
          '',
        ].join('\r\n'),
      ),
    )
    expect(consumer).toMatchObject({ status: 'threaded', case: notice.case })
  })
})
