import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, withOrg, type Db } from '../../src/db.ts'
import { parseEnv, type Env } from '../../src/env.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import { insertRaw } from '../../src/intake/queries.ts'
import { sweepStrandedRaw } from '../../src/intake/sweep.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runScheduledTick } from '../../src/jobs/scheduler.ts'
import { migrate } from '../../src/migrate.ts'
import { insertOrg, type Org } from '../../src/orgs/queries.ts'
import { createDevMailer } from '../../src/outbound/mailer.ts'
import { dropDatabase, testDatabaseName, withDatabase } from '../support/databases.ts'
import { buildEml } from '../support/db.ts'

// A database of this file's own: the sweep works across orgs (and on rows with no org at all),
// and one test makes PostgreSQL itself refuse a message, which must touch no other test's data.
describe('the sweep of raw messages stranded in received', () => {
  const name = testDatabaseName('sweep')
  let url: string
  let db: Db
  let orgs = 0

  beforeAll(async () => {
    url = await withDatabase(name)
    db = connect(url, { max: 6 })
    await migrate(db)
    // PostgreSQL refusing a message the way a full disk or a bug would: any insert of a message
    // whose subject asks for it fails, inside intake's own transaction.
    await db.unsafe(`
      create function refuse_marked_message() returns trigger language plpgsql as $$
      begin raise exception 'simulated storage failure'; end $$;
      create trigger refuse_marked_message before insert on messages
        for each row when (new.subject like '%[refuse]%') execute function refuse_marked_message();`)
  })
  afterAll(async () => {
    await db.end()
    await dropDatabase(name)
  })

  const newOrg = async (): Promise<Org> => {
    const slug = `sweep-${++orgs}`
    return insertOrg(db, { slug, name: slug, inboundAddresses: [`escalations@${slug}.test`] })
  }

  /** What a process killed right after storing the bytes leaves behind: a row still 'received'. */
  const strand = async (orgId: string | null, raw: Uint8Array, ageSeconds = 300) => {
    const sha256 = createHash('sha256').update(raw).digest('hex')
    const row = { orgId, provider: 'raw', sha256, bytes: raw }
    const { id } = orgId ? await withOrg(db, orgId, (tx) => insertRaw(tx, row)) : await insertRaw(db, row)
    await db`update inbound_raw set received_at = now() - make_interval(secs => ${ageSeconds}) where id = ${id}`
    return id
  }
  const rawRow = async (id: string) => {
    const [row] = await db<{ status: string; reason: string | null; attempts: number; lastError: string | null; caseId: string | null }[]>`
      select status, reason, process_attempts as attempts, last_error as "lastError", case_id as "caseId" from inbound_raw where id = ${id}`
    return row!
  }
  const caseCount = async (orgId: string) => (await db<{ n: number }[]>`select count(*)::int as n from cases where org_id = ${orgId}`)[0]!.n
  const sweep = (options: Parameters<typeof sweepStrandedRaw>[1] = {}, pool = db) => sweepStrandedRaw(pool, { log: () => {}, ...options })
  // A failed attempt backs off; the test stands at the instant the back-off has passed.
  const backOffPassed = (id: string) => db`update inbound_raw set claimed_until = now() - interval '1 second' where id = ${id}`

  it('files a stranded message as the case it should have made, and says so in the audit trail', async () => {
    const org = await newOrg()
    const id = await strand(org.id, buildEml({ to: `escalations@${org.slug}.test`, subject: 'Stranded complaint' }))
    const summary = await sweep({ orgIds: [org.id] })
    expect(summary).toMatchObject({ claimed: 1, created: 1, quarantined: 0, retrying: 0 })
    expect(await rawRow(id)).toMatchObject({ status: 'processed', attempts: 1, caseId: expect.any(String) })
    expect(await caseCount(org.id)).toBe(1)
    const events = await db<{ action: string; details: { rawId?: string; outcome?: string } }[]>`
      select action, details from audit_events where org_id = ${org.id} order by seq`
    expect(events.map((e) => e.action)).toEqual(['case.create', 'message.recover'])
    expect(events[1]!.details).toMatchObject({ rawId: id, outcome: 'created' })
  })

  it('leaves rows younger than the threshold alone: their first process may still be on them', async () => {
    const org = await newOrg()
    const id = await strand(org.id, buildEml({ to: `escalations@${org.slug}.test` }), 5)
    expect(await sweep({ orgIds: [org.id] })).toMatchObject({ claimed: 0 })
    expect(await rawRow(id)).toMatchObject({ status: 'received', attempts: 0 })
    expect(await sweep({ orgIds: [org.id], olderThanMs: 0 })).toMatchObject({ claimed: 1, created: 1 })
  })

  it('a stranded copy of a message that its retry already filed ends duplicate, with no second case', async () => {
    const org = await newOrg()
    const raw = buildEml({ to: `escalations@${org.slug}.test` })
    const id = await strand(org.id, raw)
    const retried = await ingestMessage(db, { orgId: org.id, raw, provider: 'raw' })
    expect(retried.status).toBe('created')
    expect(await sweep({ orgIds: [org.id] })).toMatchObject({ claimed: 1, duplicate: 1 })
    expect(await rawRow(id)).toMatchObject({ status: 'duplicate' })
    expect(await caseCount(org.id)).toBe(1)
  })

  it('retries a message whose processing fails, then quarantines it after 3 attempts with the last error', async () => {
    const org = await newOrg()
    const id = await strand(org.id, buildEml({ to: `escalations@${org.slug}.test`, subject: 'Please [refuse] me' }))
    for (const attempt of [1, 2]) {
      expect(await sweep({ orgIds: [org.id] })).toMatchObject({ claimed: 1, retrying: 1 })
      expect(await rawRow(id)).toMatchObject({
        status: 'received',
        attempts: attempt,
        lastError: expect.stringMatching(/simulated storage failure/),
      })
      // Backing off: the next tick does not take it again at once.
      expect(await sweep({ orgIds: [org.id] })).toMatchObject({ claimed: 0 })
      await backOffPassed(id)
    }
    expect(await sweep({ orgIds: [org.id] })).toMatchObject({ claimed: 1, quarantined: 1 })
    const row = await rawRow(id)
    expect(row).toMatchObject({ status: 'quarantined', attempts: 3 })
    expect(row.reason).toMatch(/^processing did not finish after 3 attempts: .*simulated storage failure/)
    expect(await sweep({ orgIds: [org.id] })).toMatchObject({ claimed: 0 })
    expect(await caseCount(org.id)).toBe(0)
    const [event] = await db<{ details: { rawId: string; reason: string } }[]>`
      select details from audit_events where org_id = ${org.id} and action = 'message.quarantine'`
    expect(event!.details).toMatchObject({ rawId: id, reason: row.reason })
  })

  it('quarantines a row whose sweeper died on each of its 3 attempts: "the process stopped"', async () => {
    const org = await newOrg()
    const id = await strand(org.id, buildEml({ to: `escalations@${org.slug}.test` }))
    // What three killed sweepers leave: three attempts counted, the last lease run out, no error kept.
    await db`update inbound_raw set process_attempts = 3, claimed_until = now() - interval '1 second' where id = ${id}`
    expect(await sweep({ orgIds: [org.id] })).toMatchObject({ claimed: 1, quarantined: 1, created: 0 })
    expect(await rawRow(id)).toMatchObject({
      status: 'quarantined',
      reason: 'processing did not finish after 3 attempts: the process stopped',
    })
    expect(await caseCount(org.id)).toBe(0)
  })

  it('quarantines a stranded row that was never routed to an organization, without retrying it', async () => {
    const id = await strand(null, buildEml({ to: 'nobody@unknown.test' }))
    const summary = await sweep()
    expect(summary.quarantined).toBeGreaterThanOrEqual(1)
    const row = await rawRow(id)
    expect(row).toMatchObject({ status: 'quarantined', attempts: 1 })
    expect(row.reason).toMatch(/no organization/)
    expect(row.reason).toContain(`desk ingest --reprocess ${id} --org SLUG`)
  })

  it('takes a bounded batch per run, and two sweepers at once never take the same row', async () => {
    const org = await newOrg()
    const ids = await Promise.all(
      Array.from({ length: 14 }, (_, i) => strand(org.id, buildEml({ to: `escalations@${org.slug}.test`, subject: `Batch ${i}` }))),
    )
    const other = connect(url, { max: 2 }) // a second process's pool
    try {
      const [a, b] = await Promise.all([sweep({ orgIds: [org.id], limit: 5 }), sweep({ orgIds: [org.id], limit: 5 }, other)])
      expect(a.claimed).toBe(5)
      expect(b.claimed).toBe(5)
      expect(a.created + b.created).toBe(10)
      expect(await sweep({ orgIds: [org.id], limit: 5 })).toMatchObject({ claimed: 4, created: 4 })
    } finally {
      await other.end()
    }
    const rows = await Promise.all(ids.map(rawRow))
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(ids.map(() => ['processed', 1]))
    expect(await caseCount(org.id)).toBe(14)
  })

  it('runs in every scheduler tick (Node server, desk worker and the Workers cron call the same one)', async () => {
    const org = await newOrg()
    const id = await strand(org.id, buildEml({ to: `escalations@${org.slug}.test` }), 1)
    const env = (parseEnv({ DESK_DEMO: '0' }) as { ok: true; env: Env }).env
    const deps = { db, env, handlers: jobHandlers({ mailer: createDevMailer(db) }), log: () => {} }
    expect((await runScheduledTick(deps, { orgIds: [org.id] })).recovered).toMatchObject({ claimed: 0 })
    const tick = await runScheduledTick(deps, { orgIds: [org.id], strandedAfterMs: 0 })
    expect(tick.recovered).toMatchObject({ claimed: 1, created: 1 })
    expect(await rawRow(id)).toMatchObject({ status: 'processed' })
  })
})
