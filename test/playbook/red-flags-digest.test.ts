import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { previewDigest } from '../../src/digest/digest.ts'
import type { Db } from '../../src/db.ts'
import { testEnv } from '../support/app.ts'
import { arrangeCase, minutes } from '../support/digest.ts'
import { seedOrg, testDb } from '../support/db.ts'

// The digest's Red flags section: the same definitions as the case page and the queue, at the
// digest's own instant (the clock faked).
describe('red flags in the digest', () => {
  let db: Db
  const t0 = new Date('2026-11-20T09:00:00Z')
  const at = (offsetMinutes: number) => new Date(t0.getTime() + minutes(offsetMinutes))
  const customer = () => `pat-${randomBytes(4).toString('hex')}@customer.test`

  beforeAll(() => {
    db = testDb(2)
  })
  afterAll(() => db.end())

  it('lists the flagged cases with their flags, at its own instant', async () => {
    const digestOrg = await seedOrg(db, { timezone: 'UTC' })
    const flagged = await arrangeCase(db, digestOrg.id, {
      subject: 'Waiting for days',
      firstResponseDueAt: at(15),
      openedAt: t0,
      customerEmail: customer(),
    })
    await arrangeCase(db, digestOrg.id, {
      subject: 'Answered in time',
      firstResponseDueAt: at(15),
      firstResponseAt: at(5),
      openedAt: t0,
      customerEmail: customer(),
    })
    await arrangeCase(db, digestOrg.id, {
      subject: 'Closed last month',
      status: 'closed',
      closedAt: at(-60 * 24 * 30),
      openedAt: at(-60 * 24 * 31),
      customerEmail: customer(),
    })
    const early = await previewDigest(db, testEnv(), digestOrg.id, at(10))
    expect(early.mail.text).not.toContain('RED FLAGS')
    const late = await previewDigest(db, testEnv(), digestOrg.id, at(60))
    const section = late.mail.text.slice(late.mail.text.indexOf('RED FLAGS'))
    expect(section.slice(0, section.indexOf('\n\n'))).toBe(
      `RED FLAGS (1)\n- ESC-${flagged.number} SEV-3: Waiting for days\n  delayed acknowledgment · no owner\n  http://localhost:8787/cases/${flagged.id}`,
    )
  })

  it('a case closed in the last 7 days is listed for how it ended, not for what it was', async () => {
    const digestOrg = await seedOrg(db, { timezone: 'UTC' })
    const email = customer()
    await arrangeCase(db, digestOrg.id, { subject: 'First time', customerEmail: email, openedAt: at(-60 * 24 * 5) })
    const unconfirmed = await arrangeCase(db, digestOrg.id, {
      subject: 'Closed unconfirmed',
      customerEmail: email,
      status: 'closed',
      openedAt: at(-60 * 24 * 2),
      closedAt: at(-60 * 24),
    })
    const confirmed = await arrangeCase(db, digestOrg.id, {
      subject: 'Closed confirmed',
      customerEmail: email,
      status: 'closed',
      openedAt: at(-60 * 24 * 2),
      closedAt: at(-60 * 24),
    })
    await db`update cases set customer_confirmed_at = closed_at where id = ${confirmed.id}`
    const { mail } = await previewDigest(db, testEnv(), digestOrg.id, at(0))
    const section = mail.text.slice(mail.text.indexOf('RED FLAGS'))
    const lines = section.slice(0, section.indexOf('\n\n'))
    // Both closed cases are repeats nobody linked; only how the first one ended is news.
    expect(lines).toContain(`ESC-${unconfirmed.number} SEV-3: Closed unconfirmed\n  premature closure · no owner`)
    expect(lines).not.toContain('Closed confirmed')
  })

  it('missing RCA for 7 days after the ending, in severity order with the open cases', async () => {
    const digestOrg = await seedOrg(db, { timezone: 'UTC' })
    const day = 60 * 24
    const finished = (subject: string, severity: 'SEV-1' | 'SEV-2' | 'SEV-3', daysAgo: number) =>
      arrangeCase(db, digestOrg.id, {
        subject,
        severity,
        status: 'resolved',
        openedAt: at(-(daysAgo + 1) * day),
        resolvedAt: at(-daysAgo * day),
        customerEmail: customer(),
      })
    const recent = await finished('Resolved this week', 'SEV-1', 6)
    await finished('Resolved last month', 'SEV-1', 30)
    await finished('Resolved a minor one', 'SEV-3', 1)
    const reviewed = await finished('Resolved and reviewed', 'SEV-2', 2)
    await db`insert into incident_reviews (org_id, case_id, completed_at) values (${digestOrg.id}, ${reviewed.id}, ${at(-day)})`
    const waiting = await arrangeCase(db, digestOrg.id, {
      subject: 'Still waiting',
      firstResponseDueAt: at(-60),
      openedAt: at(-120),
      customerEmail: customer(),
    })
    const { mail } = await previewDigest(db, testEnv(), digestOrg.id, at(0))
    const section = mail.text.slice(mail.text.indexOf('RED FLAGS'))
    expect(section.slice(0, section.indexOf('\n\n'))).toBe(
      [
        'RED FLAGS (2)',
        `- ESC-${recent.number} SEV-1: Resolved this week`,
        '  missing rca · no owner',
        `  http://localhost:8787/cases/${recent.id}`,
        `- ESC-${waiting.number} SEV-3: Still waiting`,
        '  delayed acknowledgment · no owner',
        `  http://localhost:8787/cases/${waiting.id}`,
      ].join('\n'),
    )
  })
})
