import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordAudit, systemActor } from '../../src/audit/audit.ts'
import { checkpointKey, parseCheckpoint, verifyAgainstCheckpoint, type AuditCheckpoint } from '../../src/audit/checkpoint.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { parseEnv, type Env } from '../../src/env.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runScheduledTick } from '../../src/jobs/scheduler.ts'
import { createDevMailer } from '../../src/outbound/mailer.ts'
import { seedOrg, testDb } from '../support/db.ts'

const day = 86_400_000

describe('the scheduler posts a daily checkpoint to AUDIT_CHECKPOINT_URL', () => {
  let db: Db
  let server: Server
  let url: string
  const received: AuditCheckpoint[] = []
  let answer = 200

  beforeAll(async () => {
    db = testDb(4)
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (d) => (body += d))
      req.on('end', () => {
        if (answer === 200) received.push(parseCheckpoint(body)!)
        res.writeHead(answer).end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/audit`
  })
  afterAll(async () => {
    server.close()
    await db.end()
  })

  const env = (settings: Record<string, string> = {}) => (parseEnv({ DESK_DEMO: '0', ...settings }) as { ok: true; env: Env }).env
  const tick = (orgIds: string[], now: Date, settings = { AUDIT_CHECKPOINT_URL: url }) =>
    runScheduledTick({ db, env: env(settings), handlers: jobHandlers({ mailer: createDevMailer(db) }), log: () => {} }, { now, orgIds })
  const addEvent = (orgId: string) => withOrg(db, orgId, (tx) => recordAudit(tx, orgId, { actor: systemActor, action: 'test.step' }))

  it('posts each org once per day, a checkpoint that verify --against accepts; nothing without the setting', async () => {
    const [a, b] = [await seedOrg(db), await seedOrg(db)]
    for (const org of [a, b]) {
      await addEvent(org.id)
      await addEvent(org.id)
    }
    const now = new Date()
    expect((await tick([a.id, b.id], now, {} as never)).checkpoints).toEqual([])
    expect(received).toEqual([])

    const first = await tick([a.id, b.id], now)
    expect(first.checkpoints.map((c) => [c.orgId, c.status]).sort()).toEqual(
      [
        [a.id, 'posted'],
        [b.id, 'posted'],
      ].sort(),
    )
    expect(received.map((c) => [c.org.id, c.seq]).sort()).toEqual(
      [
        [a.id, 2],
        [b.id, 2],
      ].sort(),
    )
    // Two schedulers ticking the same day (or the same one a minute later) post nothing more.
    const again = await Promise.all([tick([a.id, b.id], new Date(now.getTime() + 60_000)), tick([a.id, b.id], now)])
    expect(again.flatMap((t) => t.checkpoints)).toEqual([])
    expect(received).toHaveLength(2)

    const key = await checkpointKey(db, undefined)
    const posted = received.find((c) => c.org.id === a.id)!
    expect(await verifyAgainstCheckpoint(db, key, a.id, posted)).toEqual({ ok: true, covered: 2, lastSeq: 2 })

    // The next day, a new checkpoint covering what was written since.
    await addEvent(a.id)
    const next = await tick([a.id], new Date(now.getTime() + day))
    expect(next.checkpoints).toEqual([expect.objectContaining({ orgId: a.id, status: 'posted', seq: 3 })])
  })

  it('tries a refused post again on a later tick, after a pause', async () => {
    const org = await seedOrg(db)
    await addEvent(org.id)
    const now = new Date()
    answer = 503
    try {
      expect((await tick([org.id], now)).checkpoints).toEqual([
        expect.objectContaining({ status: 'failed', reason: expect.stringMatching(/503/) }),
      ])
      expect((await tick([org.id], now)).checkpoints).toEqual([]) // pausing
    } finally {
      answer = 200
    }
    await db`update audit_checkpoint_posts set claimed_until = now() - interval '1 second' where org_id = ${org.id}`
    expect((await tick([org.id], now)).checkpoints).toEqual([expect.objectContaining({ status: 'posted', seq: 1 })])
    expect(received.filter((c) => c.org.id === org.id)).toHaveLength(1)
  })
})
