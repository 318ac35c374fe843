import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Db } from '../../src/db.ts'
import { claimDigest, digestBatchSize, enqueueDueDigests, listDueDigests, previewDigest } from '../../src/digest/digest.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runScheduledTick } from '../../src/jobs/scheduler.ts'
import { createDevMailer } from '../../src/outbound/mailer.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { testEnv } from '../support/app.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { arrangeCase, at, backdateOrg, heldMail, minutes } from '../support/digest.ts'

const env = testEnv({ PUBLIC_URL: 'https://desk.example.test' })

describe('each org gets its digest at its own local hour, once per local day', () => {
  let db: Db
  const deps = () => ({ db, env, handlers: jobHandlers({ mailer: createDevMailer(db) }), log: () => {} })

  /** An org that existed long before the instants the test stands at. */
  async function orgIn(timezone: string, digestHour = 8, settings: Record<string, unknown> = {}): Promise<Org> {
    const org = await seedOrg(db, { timezone })
    await db`update orgs set digest_hour = ${digestHour}, settings = settings || ${db.json(settings as never)} where id = ${org.id}`
    await backdateOrg(db, org.id)
    return org
  }
  const dueAt = async (orgs: Org[], instant: string) =>
    Object.fromEntries(
      (
        await listDueDigests(
          db,
          at(instant),
          orgs.map((o) => o.id),
        )
      ).map((d) => [orgs.find((o) => o.id === d.orgId)!.timezone, d.localDate]),
    )

  beforeAll(() => {
    db = testDb(6)
  })
  afterAll(async () => {
    await db.end()
  })

  it('across time zones, including one where 08:00 has already passed today (it catches up now)', async () => {
    const la = await orgIn('America/Los_Angeles')
    const berlin = await orgIn('Europe/Berlin', 8, { digest_when_empty: true })
    const tokyo = await orgIn('Asia/Tokyo')
    const kiritimati = await orgIn('Pacific/Kiritimati')
    const utc15 = await orgIn('UTC', 15)
    const orgs = [la, berlin, tokyo, kiritimati, utc15]
    const admin = await seedUser(db, berlin.id, 'admin')

    // 14:00 UTC on Sunday 22 November: 06:00 in LA, 15:00 in Berlin, 23:00 in Tokyo, 04:00 on
    // Monday in Kiritimati (UTC+14), 14:00 for the org that wants its digest at 15:00.
    expect(await dueAt(orgs, '2026-11-22T14:00:00Z')).toEqual({ 'Europe/Berlin': '2026-11-22', 'Asia/Tokyo': '2026-11-22' })

    const tick = await runScheduledTick(deps(), { now: at('2026-11-22T14:00:00Z'), orgIds: orgs.map((o) => o.id), drainMs: 5000 })
    expect(tick.digests.map((d) => [d.orgId, d.status])).toEqual(
      expect.arrayContaining([
        [berlin.id, 'queued'],
        [tokyo.id, 'skipped'],
      ]),
    )
    expect(tick.digests).toHaveLength(2)
    const [mail, ...more] = await heldMail(db, berlin.id)
    expect(more).toEqual([])
    expect(mail).toMatchObject({
      to: [admin.email],
      subject: 'Escalations Sun 22 Nov: nothing needs attention',
      key: `digest/${berlin.id}/2026-11-22`,
    })
    // Tokyo had nothing to say: claimed for the day, nothing sent.
    const [tokyoRun] = await db`select status, reason from digest_runs where org_id = ${tokyo.id}`
    expect(tokyoRun).toEqual({ status: 'skipped', reason: 'nothing needs attention' })

    // An hour later nothing new; at 15:00 UTC the 15:00 org; at 16:00 UTC it is 08:00 in LA; at
    // 18:00 UTC it is 08:00 on Monday in Kiritimati.
    expect(await dueAt(orgs, '2026-11-22T14:59:59Z')).toEqual({})
    expect(await dueAt(orgs, '2026-11-22T15:00:00Z')).toEqual({ UTC: '2026-11-22' })
    expect(await dueAt(orgs, '2026-11-22T16:00:00Z')).toEqual({ UTC: '2026-11-22', 'America/Los_Angeles': '2026-11-22' })
    expect(await dueAt(orgs, '2026-11-22T18:00:00Z')).toMatchObject({ 'Pacific/Kiritimati': '2026-11-23' })
    // The next local day is a new digest: Berlin again at 07:00 UTC on Monday (08:00 local).
    expect(await dueAt([berlin], '2026-11-23T06:59:00Z')).toEqual({})
    expect(await dueAt([berlin], '2026-11-23T07:00:00Z')).toEqual({ 'Europe/Berlin': '2026-11-23' })
  })

  it('a new org gets its first digest at the first digest hour after it was created, and a bad time zone reads as UTC', async () => {
    const fresh = await seedOrg(db, { timezone: 'UTC' })
    await db`update orgs set digest_hour = 0, created_at = '2026-11-22T10:00:00Z' where id = ${fresh.id}`
    const mars = await orgIn('Mars/Olympus_Mons', 9)
    expect(await dueAt([fresh, mars], '2026-11-22T10:30:00Z')).toEqual({ 'Mars/Olympus_Mons': '2026-11-22' })
    expect(await dueAt([fresh], '2026-11-23T00:00:00Z')).toEqual({ UTC: '2026-11-23' })
    const preview = await previewDigest(db, env, mars.id, at('2026-11-22T10:30:00Z'))
    expect(preview.org).toMatchObject({ timeZone: 'UTC', localDate: '2026-11-22' })
  })

  it('across DST changes: the local hour, not a fixed UTC offset, and the repeated hour sends once', async () => {
    const ny = await orgIn('America/New_York')
    // Saturday 7 March 2026 is still EST (UTC-5): 08:00 local is 13:00 UTC.
    expect(await dueAt([ny], '2026-03-07T12:59:00Z')).toEqual({})
    expect(await dueAt([ny], '2026-03-07T13:00:00Z')).toEqual({ 'America/New_York': '2026-03-07' })
    // Sunday 8 March, clocks spring forward at 02:00: 08:00 EDT is 12:00 UTC, an hour earlier.
    expect(await dueAt([ny], '2026-03-08T11:59:00Z')).toEqual({})
    expect(await dueAt([ny], '2026-03-08T12:00:00Z')).toEqual({ 'America/New_York': '2026-03-08' })

    // An 02:00 digest on the spring-forward day: 02:00 never happens, so it goes at 03:00 EDT.
    const night = await orgIn('America/New_York', 2)
    expect(await dueAt([night], '2026-03-08T06:59:00Z')).toEqual({}) // 01:59 EST
    expect(await dueAt([night], '2026-03-08T07:00:00Z')).toEqual({ 'America/New_York': '2026-03-08' }) // 03:00 EDT

    // Sunday 1 November, clocks fall back at 02:00: 01:00-02:00 happens twice. A 01:00 digest
    // goes in the first 01:15 and the second 01:15 finds the day taken.
    const early = await orgIn('America/New_York', 1)
    expect(await claimDigest(db, env, early.id, at('2026-11-01T05:15:00Z'), 'test')).toMatchObject({
      status: 'skipped',
      localDate: '2026-11-01',
    })
    expect(await dueAt([early], '2026-11-01T06:15:00Z')).toEqual({})
    expect(await claimDigest(db, env, early.id, at('2026-11-01T06:15:00Z'), 'test')).toMatchObject({
      status: 'taken',
      localDate: '2026-11-01',
    })
    const [runs] = await db<{ n: number }[]>`select count(*)::int as n from digest_runs where org_id = ${early.id}`
    expect(runs!.n).toBe(1)
  })

  it("yesterday is the org's calendar day, 23 hours long after spring-forward", async () => {
    const ny = await orgIn('America/New_York')
    const reply = (opened: string, replied: string) =>
      arrangeCase(db, ny.id, {
        status: 'closed',
        openedAt: new Date(Date.parse(replied) - minutes(30)),
        firstResponseAt: at(replied),
        firstResponseDueAt: at(opened),
        closedAt: at(replied),
      })
    await reply('2026-03-08T05:45:00Z', '2026-03-08T04:30:00Z') // 23:30 EST on Saturday 7 March: not yesterday
    await reply('2026-03-08T06:45:00Z', '2026-03-08T05:30:00Z') // 00:30 EST on Sunday 8 March
    await reply('2026-03-09T04:45:00Z', '2026-03-09T03:30:00Z') // 23:30 EDT on Sunday 8 March
    await reply('2026-03-09T05:45:00Z', '2026-03-09T04:30:00Z') // 00:30 EDT on Monday 9 March: today
    const preview = await previewDigest(db, env, ny.id, at('2026-03-09T12:30:00Z')) // 08:30 EDT Monday
    expect(preview.org.yesterdayFrom.toISOString()).toBe('2026-03-08T05:00:00.000Z')
    expect(preview.org.yesterdayTo.toISOString()).toBe('2026-03-09T04:00:00.000Z')
    expect(preview.digest.yesterday.overall).toEqual({ replies: 2, medianMinutes: 30 })
    expect(preview.mail.text).toContain('YESTERDAY (Sunday 8 March 2026)\n- First responses: 2, median 30 min')
  })

  it('schedulers racing (separate connections, as separate processes have) send one digest', async () => {
    const org = await orgIn('UTC', 0)
    const approver = await seedUser(db, org.id, 'approver')
    const now = new Date()
    // Breached days ago: the digest's news, no longer the escalation chain's (it looks back a day).
    await arrangeCase(db, org.id, {
      subject: 'Breached',
      nextDeadlineAt: new Date(now.getTime() - minutes(3 * 1440)),
      nextAtRiskAt: new Date(now.getTime() - minutes(3 * 1440 + 60)),
    })
    const pools = Array.from({ length: 6 }, () => testDb(2))
    try {
      const ticks = await Promise.all(
        pools.map((pool) =>
          runScheduledTick(
            { db: pool, env, handlers: jobHandlers({ mailer: createDevMailer(pool) }), log: () => {} },
            { now, orgIds: [org.id], drainMs: 5000 },
          ),
        ),
      )
      const claims = ticks.flatMap((t) => t.digests)
      expect(claims.filter((c) => c.status === 'queued')).toHaveLength(1)
      expect(claims.filter((c) => c.status !== 'queued' && c.status !== 'taken')).toEqual([])
    } finally {
      await Promise.all(pools.map((p) => p.end()))
    }
    const mail = await heldMail(db, org.id)
    expect(mail.map((m) => m.to)).toEqual([[approver.email]])
    const [run] = await db`select status, sent_at is not null as sent from digest_runs where org_id = ${org.id}`
    expect(run).toEqual({ status: 'sent', sent: true })
    const audit =
      await db`select action, details->>'localDate' as day from audit_events where org_id = ${org.id} and action like 'digest.%'`
    expect(audit).toEqual([{ action: 'digest.send', day: now.toISOString().slice(0, 10) }])
  })

  /** An org due at 00:00 UTC with a case breached days ago and an approver: a digest to queue. */
  async function orgWithNews(): Promise<Org> {
    const org = await orgIn('UTC', 0)
    await seedUser(db, org.id, 'approver')
    await arrangeCase(db, org.id, {
      subject: 'Breached',
      nextDeadlineAt: new Date(Date.now() - minutes(3 * 1440)),
      nextAtRiskAt: new Date(Date.now() - minutes(3 * 1440 + 60)),
    })
    return org
  }

  it('schedulers racing over many orgs, in batches that overlap differently: each digest composed and queued once', async () => {
    const orgs = await Promise.all(Array.from({ length: 2 * digestBatchSize + 5 }, () => orgWithNews()))
    const ids = orgs.map((o) => o.id).sort()
    const now = new Date()
    // Different subsets, so the batches (20 orgs in id order) start at different orgs.
    const subsets = [ids, ids.slice(7), ids.slice(0, 31), ids.slice(13), ids]
    const pools = subsets.map(() => testDb(3))
    try {
      const runs = await Promise.all(pools.map((pool, i) => enqueueDueDigests(pool, env, now, `scheduler ${i}`, subsets[i], 2)))
      const queued = runs.flat().filter((c) => c.status === 'queued')
      expect(queued.map((c) => c.orgId).sort()).toEqual(ids)
      expect(runs.flat().filter((c) => c.status !== 'queued' && c.status !== 'taken')).toEqual([])
    } finally {
      await Promise.all(pools.map((p) => p.end()))
    }
    const stored = await db<{ orgId: string; runs: number; jobs: number }[]>`
      select r.org_id as "orgId", count(*)::int as runs, count(j.id)::int as jobs
      from digest_runs r left join jobs j on j.id = r.job_id and j.kind = 'digest_send'
      where r.org_id = any(${ids}::uuid[]) group by r.org_id order by r.org_id`
    expect(stored).toEqual(ids.map((orgId) => ({ orgId, runs: 1, jobs: 1 })))
  })

  it('an org whose digest cannot be composed: the others in its batch are queued, and it is claimed again next tick', async () => {
    const orgs = await Promise.all(Array.from({ length: 5 }, () => orgWithNews()))
    const ids = orgs.map((o) => o.id).sort()
    const broken = ids[2]!
    await db`update orgs set sla_policy = ${db.json({ 'SEV-1': 'not a policy' } as never)} where id = ${broken}`
    const now = new Date()
    await expect(enqueueDueDigests(db, env, now, 'test', ids)).rejects.toThrow()
    const claimed = await db<{ orgId: string; status: string }[]>`
      select org_id as "orgId", status from digest_runs where org_id = any(${ids}::uuid[]) order by org_id`
    expect(claimed).toEqual(ids.filter((id) => id !== broken).map((orgId) => ({ orgId, status: 'queued' })))

    await db`update orgs set sla_policy = null where id = ${broken}`
    const next = await enqueueDueDigests(db, env, now, 'test', ids)
    expect(next.map((c) => [c.orgId, c.status])).toEqual([[broken, 'queued']])
  })

  it("turned off, it is never claimed; the hour and recipients are the org's choice", async () => {
    const off = await orgIn('UTC', 0, { digest_enabled: false })
    expect(await dueAt([off], '2026-11-22T12:00:00Z')).toEqual({})
    const chosen = await orgIn('UTC', 0)
    const agent = await seedUser(db, chosen.id, 'agent')
    const disabled = await seedUser(db, chosen.id, 'approver')
    await seedUser(db, chosen.id, 'approver')
    await db`update app_users set disabled_at = now() where id = ${disabled.id}`
    await db`update orgs set settings = settings || ${db.json({ digest_recipients: [agent.email, disabled.email, 'stranger@elsewhere.test'] })} where id = ${chosen.id}`
    await arrangeCase(db, chosen.id, { subject: 'Unowned' })
    const preview = await previewDigest(db, env, chosen.id)
    expect(preview.recipients).toEqual([agent.email]) // listed, active, and of this org
  })
})
