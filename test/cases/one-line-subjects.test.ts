import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importCases } from '../../src/imports/cases.ts'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { csvSource as source } from '../support/csv.ts'

// A case subject becomes the subject of the approval invite and of the reply ("Re: …"), so it
// is one line wherever it is typed: a line break in it would start a header of its own.

const actor = { kind: 'system' as const, id: 'test' }

describe('case subjects are one line', () => {
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

  const subjects = () =>
    withOrg(
      db,
      org.id,
      async (tx) =>
        await tx<{ subject: string; original: string | null }[]>`
    select subject, original_subject as original from cases order by number`,
    )

  it('from the portal form: line breaks and control characters become spaces', async () => {
    const res = await createTestApp(db).request(
      '/cases',
      formPost(
        {
          source: 'form',
          customerName: 'Pat',
          subject: 'Refund please\r\nBcc: spy@attacker.test\u0000\u2028x',
          summary: 'Called about a refund that never came.',
          severity: 'SEV-3',
        },
        { cookie },
      ),
    )
    expect(res.status).toBe(303)
    expect((await subjects()).at(-1)).toEqual({
      subject: 'Refund please Bcc: spy@attacker.test x',
      original: 'Refund please Bcc: spy@attacker.test x',
    })
  })

  it('a subject that is only line breaks is refused like an empty one', async () => {
    const res = await createTestApp(db).request(
      '/cases',
      formPost(
        {
          source: 'form',
          customerName: 'Pat',
          subject: '\r\n\r\n',
          summary: 'Called about a refund that never came.',
          severity: 'SEV-3',
        },
        { cookie },
      ),
    )
    expect(res.status).toBe(422)
  })

  it('from a CSV import: a quoted multi-line subject, and a subject taken from the summary', async () => {
    const sheet =
      'Email,Subject,Summary\r\na@x.test,"Refund please\r\nBcc: spy@attacker.test",Body\r\nb@x.test,,"First line\rstill first\nsecond"\r\n'
    expect(await importCases(db, org, source(sheet), { actor })).toMatchObject({ ok: true, created: 2 })
    const [a, b] = (await subjects()).slice(-2)
    expect(a!.subject).toBe('Refund please Bcc: spy@attacker.test')
    expect(b!.subject).toBe('First line still first')
  })
})
