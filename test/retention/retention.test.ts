import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { userActor, verifyAuditChain } from '../../src/audit/audit.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { parseEnv, type Env } from '../../src/env.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runScheduledTick } from '../../src/jobs/scheduler.ts'
import { setRetentionMonths } from '../../src/retention/retention.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

// Retention with a faked clock: the scheduler tick stands at a chosen day (it queues the org's
// job once per day), and the cases' closing dates are set that far back; the database removes
// what is older than the org's period, as the owner, under the org's row-level security scope.

const day = 86_400_000
const monthsAgo = (n: number) => new Date(Date.now() - n * 31 * day)

/** A mail with a file attached, so retention has raw mail, thread text and a file to remove. */
function mailWithFile(subject: string): Uint8Array {
  const boundary = `b-${randomBytes(4).toString('hex')}`
  const lines = [
    'From: Pat Doe <pat@customer.test>',
    'To: escalations@example.com',
    `Subject: ${subject}`,
    'Date: Sun, 22 Nov 2026 09:00:00 +0000',
    `Message-ID: <${randomBytes(8).toString('hex')}@customer.test>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `The thread text of "${subject}".`,
    `--${boundary}`,
    'Content-Type: text/plain; name="receipt.txt"',
    'Content-Disposition: attachment; filename="receipt.txt"',
    '',
    'Receipt 4471: 129.00 EUR',
    `--${boundary}--`,
    '',
  ]
  return new TextEncoder().encode(lines.join('\r\n'))
}

describe('retention', () => {
  let db: Db
  const env = (parseEnv({ DESK_DEMO: '0' }) as { ok: true; env: Env }).env
  const tick = (orgIds: string[], now = new Date()) =>
    runScheduledTick({ db, env, handlers: jobHandlers(), log: () => {} }, { now, orgIds, drainMs: 10_000 })
  beforeAll(() => {
    db = testDb(4)
  })
  afterAll(() => db.end())

  /** A case from a mail with a file; closed at `closedAt` when given. */
  async function caseClosedAt(orgId: string, subject: string, closedAt: Date | null) {
    const outcome = await ingestMessage(db, { orgId, raw: mailWithFile(subject), provider: 'test' })
    if (outcome.status !== 'created') throw new Error(outcome.status)
    const [row] = await db<{ id: string }[]>`select id from cases where org_id = ${orgId} and 'ESC-' || number = ${outcome.case}`
    if (closedAt) await db`update cases set status = 'closed', resolved_at = ${closedAt}, closed_at = ${closedAt} where id = ${row!.id}`
    // Its draft job ran back then; only the retention job is left for the tick to drain.
    await db`update jobs set done_at = now() where org_id = ${orgId} and kind = 'draft'`
    return row!.id
  }

  async function contentOf(caseId: string) {
    const [row] = await db<{ text: string; raw: number; files: number; extracted: number; removed: string | null }[]>`
      select (select string_agg(text_body, '|') from messages where case_id = c.id) as text,
             (select coalesce(sum(octet_length(r.raw)), 0)::int from inbound_raw r where r.case_id = c.id) as raw,
             (select count(*)::int from message_attachments a join messages m on m.id = a.message_id where m.case_id = c.id and a.content is not null) as files,
             (select count(*)::int from message_attachments a join messages m on m.id = a.message_id where m.case_id = c.id) as extracted,
             c.content_removed_reason as removed
      from cases c where c.id = ${caseId}`
    return row!
  }

  it('is off by default: nothing is queued and nothing removed', async () => {
    const org = await seedOrg(db)
    const old = await caseClosedAt(org.id, 'Closed long ago', monthsAgo(30))
    expect((await tick([org.id])).retention).toEqual([])
    expect(await contentOf(old)).toMatchObject({ files: 1, removed: null })
    expect((await contentOf(old)).raw).toBeGreaterThan(0)
  })

  it('removes raw mail, files and thread text of cases closed longer ago than the period; keeps the rest; the chain verifies', async () => {
    const org = await seedOrg(db)
    const admin = await seedUser(db, org.id, 'admin')
    const expired = await caseClosedAt(org.id, 'Closed 13 months ago', monthsAgo(13))
    const recent = await caseClosedAt(org.id, 'Closed 2 months ago', monthsAgo(2))
    const open = await caseClosedAt(org.id, 'Still open', null)
    // Another org's equally old case, with retention off, is not touched by this org's job.
    const other = await seedOrg(db)
    const othersOld = await caseClosedAt(other.id, 'Other org, closed long ago', monthsAgo(40))

    expect(await setRetentionMonths(db, org.id, userActor(admin), 12)).toBe(true)
    const first = await tick([org.id, other.id])
    expect(first.retention).toEqual([org.id])

    expect(await contentOf(expired)).toEqual({
      text: '[removed after the retention period]',
      raw: 0,
      files: 0,
      extracted: 1,
      removed: 'retention',
    })
    for (const kept of [recent, open, othersOld]) {
      const c = await contentOf(kept)
      expect(c).toMatchObject({ files: 1, removed: null })
      expect(c.text).toMatch(/thread text/)
    }
    // The case row, its number and its trail stay; the removal is in the trail.
    const events = await db<{ action: string; details: Record<string, unknown> }[]>`
      select action, details from audit_events where case_id = ${expired} order by seq`
    expect(events[0]!.action).toBe('case.create')
    expect(events.at(-1)).toMatchObject({ action: 'case.content_remove', details: { reason: 'retention', retentionMonths: 12 } })
    const [change] = await db`select actor_id, details from audit_events where org_id = ${org.id} and action = 'org.retention_change'`
    expect(change).toEqual({ actor_id: admin.id, details: { from: null, to: 12 } })
    expect(await verifyAuditChain(db, org.id)).toMatchObject({ ok: true })
    // Search no longer finds the removed thread text.
    const [search] = await db<{ n: number }[]>`
      select count(*)::int as n from case_search where case_id = ${expired} and body @@ to_tsquery('simple', 'thread')`
    expect(search!.n).toBe(0)
  })

  it('queues one job per org per day, however many ticks; the next day again', async () => {
    const org = await seedOrg(db)
    const admin = await seedUser(db, org.id, 'admin')
    await setRetentionMonths(db, org.id, userActor(admin), 6)
    const today = new Date('2026-11-30T10:00:00Z')
    const [a, b] = await Promise.all([tick([org.id], today), tick([org.id], today)])
    expect([...a.retention, ...b.retention]).toEqual([org.id])
    expect((await tick([org.id], new Date(today.getTime() + 3600_000))).retention).toEqual([])
    expect((await tick([org.id], new Date(today.getTime() + day))).retention).toEqual([org.id])
    const [jobs] = await db<{ n: number }[]>`select count(*)::int as n from jobs where org_id = ${org.id} and kind = 'retention'`
    expect(jobs!.n).toBe(2)
  })

  it('works in bounded batches, oldest first', async () => {
    const org = await seedOrg(db)
    const admin = await seedUser(db, org.id, 'admin')
    const older = await caseClosedAt(org.id, 'Closed 20 months ago', monthsAgo(20))
    const newer = await caseClosedAt(org.id, 'Closed 15 months ago', monthsAgo(15))
    await setRetentionMonths(db, org.id, userActor(admin), 12)
    const batch = () => withOrg(db, org.id, async (tx) => (await tx<{ n: number }[]>`select apply_retention(1) as n`)[0]!.n)
    expect(await batch()).toBe(1)
    expect((await contentOf(older)).removed).toBe('retention')
    expect((await contentOf(newer)).removed).toBe(null)
    expect(await batch()).toBe(1)
    expect(await batch()).toBe(0)
  })

  it('turning it off and on is audited; the same value again changes nothing', async () => {
    const org = await seedOrg(db)
    const admin = await seedUser(db, org.id, 'admin')
    expect(await setRetentionMonths(db, org.id, userActor(admin), 24)).toBe(true)
    expect(await setRetentionMonths(db, org.id, userActor(admin), 24)).toBe(false)
    expect(await setRetentionMonths(db, org.id, userActor(admin), null)).toBe(true)
    const changes = await db`select details from audit_events where org_id = ${org.id} and action = 'org.retention_change' order by seq`
    expect(changes.map((c) => c.details)).toEqual([
      { from: null, to: 24 },
      { from: 24, to: null },
    ])
  })
})
