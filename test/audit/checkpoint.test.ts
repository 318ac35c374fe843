import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordAudit, systemActor } from '../../src/audit/audit.ts'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { seedOrg, seedUser, testDatabaseUrl, testDb } from '../support/db.ts'
import { runDesk } from '../support/process.ts'
import { startResendServer } from '../support/resend-server.ts'

// Tail truncation, as a superuser would do it: with triggers off for the session only, delete
// the newest events and rewind audit_heads to the last row kept. The chain that is left is
// self-consistent, so only a head kept outside the database can show what is gone.
async function truncateTail(db: Db, orgId: string, fromSeq: number) {
  await db.begin(async (tx) => {
    await tx`set local session_replication_role = replica`
    await tx`delete from audit_events where org_id = ${orgId} and seq >= ${fromSeq}`
    await tx`
      update audit_heads h set seq = coalesce(last.seq, 0), hash = coalesce(last.hash, '')
      from (select max(seq) as seq, (array_agg(hash order by seq desc))[1] as hash from audit_events where org_id = ${orgId}) last
      where h.org_id = ${orgId}`
  })
}

const addEvents = async (db: Db, org: Org, n: number) => {
  for (let i = 0; i < n; i++) {
    await withOrg(db, org.id, (tx) => recordAudit(tx, org.id, { actor: systemActor, action: 'test.step', details: { i } }))
  }
}

type Checkpoint = {
  type: string
  version: number
  org: { id: string; slug: string }
  seq: number
  hash: string
  takenAt: string
  signature: string
}

describe('desk audit checkpoint and verify --against', () => {
  let db: Db
  let dir: string
  const env = (extra: Record<string, string> = {}) => ({ DATABASE_URL: testDatabaseUrl(), DESK_DEMO: '0', ...extra })
  beforeAll(async () => {
    db = testDb(2)
    dir = await mkdtemp(join(tmpdir(), 'desk-checkpoint-'))
  })
  afterAll(async () => {
    await db.end()
    await rm(dir, { recursive: true, force: true })
  })

  const checkpoint = async (org: Org, extra: string[] = [], extraEnv: Record<string, string> = {}) => {
    const result = await runDesk(['audit', 'checkpoint', '--org', org.slug, ...extra], env(extraEnv))
    expect(result.stderr).not.toMatch(/could not|BROKEN/)
    expect(result.code).toBe(0)
    const file = join(dir, `${org.slug}-${Date.now()}-${Math.random().toString(16).slice(2)}.json`)
    await writeFile(file, result.stdout)
    return { file, document: JSON.parse(result.stdout) as Checkpoint }
  }
  const verifyAgainst = (org: Org, file: string, extraEnv: Record<string, string> = {}) =>
    runDesk(['audit', 'verify', '--org', org.slug, '--against', file], env(extraEnv))

  it('prints one signed JSON document: the org, the head sequence and hash, the time', async () => {
    const org = await seedOrg(db)
    await addEvents(db, org, 3)
    const [head] = await db<
      { seq: string; hash: string }[]
    >`select seq, hash from audit_events where org_id = ${org.id} order by seq desc limit 1`
    const before = Date.now()
    const { document } = await checkpoint(org)
    expect(document).toEqual({
      type: 'escalation-desk.audit-checkpoint',
      version: 1,
      org: { id: org.id, slug: org.slug },
      seq: 3,
      hash: head!.hash,
      takenAt: expect.any(String),
      signature: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/),
    })
    expect(Date.parse(document.takenAt)).toBeGreaterThanOrEqual(before - 1000)
  })

  it('a superuser who deletes the newest events and rewinds audit_heads passes plain verify, not verify against an earlier checkpoint', async () => {
    const org = await seedOrg(db)
    await addEvents(db, org, 6)
    const { file } = await checkpoint(org) // covers events 1 to 6
    await addEvents(db, org, 2) // 7 and 8: newer than any checkpoint
    await truncateTail(db, org.id, 5) // 5 to 8 gone, head rewound to 4

    // What plain verify cannot see (the README says so): the rest is a valid chain.
    const plain = await runDesk(['audit', 'verify', '--org', org.slug], env())
    expect(plain).toMatchObject({ code: 0, stdout: expect.stringMatching(/intact: 4 events/) })

    const against = await verifyAgainst(org, file)
    expect(against.code).toBe(1)
    expect(against.stderr).toMatch(/BROKEN/)
    expect(against.stderr).toMatch(/events 5 to 6 are missing/)
    expect(against.stderr).toMatch(/covers events 1 to 6.*ends at 4/)
  })

  it('passes an intact trail against its checkpoint and reports the events written after it', async () => {
    const org = await seedOrg(db)
    await addEvents(db, org, 3)
    const { file } = await checkpoint(org)
    await addEvents(db, org, 2)
    const result = await verifyAgainst(org, file)
    expect(result).toMatchObject({ code: 0, stderr: '' })
    expect(result.stdout).toMatch(/intact against the checkpoint of .*: events 1 to 3 unchanged/)
    expect(result.stdout).toMatch(/2 events after it \(4 to 5\)/)
  })

  it('detects a tail deleted and written again: the event at the checkpoint is not the one it recorded', async () => {
    const org = await seedOrg(db)
    await addEvents(db, org, 5)
    const { file } = await checkpoint(org)
    await truncateTail(db, org.id, 3)
    await addEvents(db, org, 4) // new 3 to 6, chained and hashed by the trigger itself
    expect((await runDesk(['audit', 'verify', '--org', org.slug], env())).code).toBe(0)
    const result = await verifyAgainst(org, file)
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/event 5 is not the event the checkpoint of .* recorded \(its hash differs\)/)
  })

  it('detects an edit before the checkpoint', async () => {
    const org = await seedOrg(db)
    await addEvents(db, org, 4)
    const { file } = await checkpoint(org)
    await db.begin(async (tx) => {
      await tx`set local session_replication_role = replica`
      await tx`update audit_events set details = '{"i": 99}' where org_id = ${org.id} and seq = 2`
    })
    const result = await verifyAgainst(org, file)
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/event 2: its content was changed/)
  })

  it('refuses a tampered checkpoint: a lowered sequence, another hash, or a signature from another key', async () => {
    const org = await seedOrg(db)
    await addEvents(db, org, 6)
    const { document } = await checkpoint(org)
    await truncateTail(db, org.id, 4)
    const [kept] = await db<{ hash: string }[]>`select hash from audit_events where org_id = ${org.id} and seq = 3`
    // The forger's aim: a checkpoint that matches the shortened trail.
    const forged = { ...document, seq: 3, hash: kept!.hash }
    for (const tampered of [forged, { ...document, hash: kept!.hash }, { ...document, takenAt: new Date(0).toISOString() }]) {
      const file = join(dir, `forged-${Math.random().toString(16).slice(2)}.json`)
      await writeFile(file, JSON.stringify(tampered))
      const result = await verifyAgainst(org, file)
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(/REFUSED.*signature/)
      expect(result.stdout).toBe('')
    }
    // Signed by someone else: a different LINK_SECRET makes a different checkpoint key.
    const other = await seedOrg(db)
    await addEvents(db, other, 1)
    const signedElsewhere = await checkpoint(other, [], { LINK_SECRET: 'x'.repeat(40) })
    const refused = await verifyAgainst(other, signedElsewhere.file)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/REFUSED.*signature/)
    expect((await verifyAgainst(other, signedElsewhere.file, { LINK_SECRET: 'x'.repeat(40) })).code).toBe(0)
  })

  it("refuses another organization's checkpoint, and a file that is not a checkpoint", async () => {
    const [a, b] = [await seedOrg(db), await seedOrg(db)]
    await addEvents(db, a, 2)
    await addEvents(db, b, 2)
    const { file } = await checkpoint(b)
    const result = await verifyAgainst(a, file)
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(new RegExp(`checkpoint of another organization \\(${b.slug}\\)`))

    const junk = join(dir, 'junk.json')
    await writeFile(junk, '{"seq": 1}')
    expect(await verifyAgainst(a, junk)).toMatchObject({ code: 2, stderr: expect.stringMatching(/not an audit checkpoint/) })
    expect(await verifyAgainst(a, join(dir, 'missing.json'))).toMatchObject({ code: 2, stderr: expect.stringMatching(/no such file/) })
  })

  it('--mail sends the checkpoint to the org admins through the mailer (Resend), so a copy lives outside the database', async () => {
    const resend = await startResendServer()
    try {
      const org = await seedOrg(db)
      const admin = await seedUser(db, org.id, 'admin')
      const admin2 = await seedUser(db, org.id, 'admin')
      await seedUser(db, org.id, 'agent')
      await addEvents(db, org, 2)
      const { document } = await checkpoint(org, ['--mail'], { RESEND_API_KEY: 're_test', RESEND_BASE_URL: resend.baseUrl })
      const sent = resend.emails.map((e) => e.body as { to: string[]; subject: string; text: string })
      expect(sent.flatMap((e) => e.to).sort()).toEqual([admin.email, admin2.email].sort())
      for (const mail of sent) {
        expect(mail.subject).toMatch(/Audit checkpoint/)
        const json = mail.text.slice(mail.text.indexOf('{'), mail.text.lastIndexOf('}') + 1)
        expect(JSON.parse(json)).toEqual(document)
      }
    } finally {
      await resend.close()
    }
  })

  it('--post sends the same document to a URL; a refused post exits 1 after printing it', async () => {
    const received: { type: string; body: string }[] = []
    let status = 200
    const server: Server = createServer((req, res) => {
      let body = ''
      req.on('data', (d) => (body += d))
      req.on('end', () => {
        received.push({ type: String(req.headers['content-type']), body })
        res.writeHead(status).end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/checkpoints`
    try {
      const org = await seedOrg(db)
      await addEvents(db, org, 2)
      const { document, file } = await checkpoint(org, ['--post', url])
      expect(received).toEqual([{ type: expect.stringMatching(/application\/json/), body: expect.any(String) }])
      expect(JSON.parse(received[0]!.body)).toEqual(document)
      // The posted copy is as good as the printed one.
      const posted = join(dir, 'posted.json')
      await writeFile(posted, received[0]!.body)
      expect((await verifyAgainst(org, posted)).code).toBe(0)
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(document)

      status = 500
      const refused = await runDesk(['audit', 'checkpoint', '--org', org.slug, '--post', url], env())
      expect(refused.code).toBe(1)
      expect(JSON.parse(refused.stdout)).toMatchObject({ org: { id: org.id }, seq: 2 })
      expect(refused.stderr).toMatch(/could not send the checkpoint: .*answered 500/)
      expect((await runDesk(['audit', 'checkpoint', '--org', org.slug, '--post', 'ftp://x'], env())).code).toBe(2)
    } finally {
      server.close()
    }
  })
})
