import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../src/db.ts'
import type { Org } from '../src/orgs/queries.ts'
import { buildEml, seedOrg, testDatabaseUrl, testDb } from './support/db.ts'
import { runDesk } from './support/process.ts'

describe('desk ingest', () => {
  let db: Db
  let org: Org
  let dir: string
  let env: Record<string, string>

  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    dir = await mkdtemp(join(tmpdir(), 'desk-cli-'))
    env = { DATABASE_URL: testDatabaseUrl(), DESK_DEMO: '0' }
  })
  afterAll(async () => {
    await db.end()
    await rm(dir, { recursive: true, force: true })
  })

  const rawRows = () => withOrg(db, org.id, async (tx) => (await tx`select count(*)::int as n from inbound_raw`)[0]!.n as number)

  it('creates a case from a file, then reports the duplicate', async () => {
    const file = join(dir, 'complaint.eml')
    await writeFile(file, buildEml({ subject: 'CLI complaint' }))
    const first = await runDesk(['ingest', file, '--org', org.slug], env)
    expect(first).toMatchObject({ code: 0, stdout: expect.stringMatching(/^created ESC-\d+\n$/) })
    const second = await runDesk(['ingest', file, '--org', org.slug, '--json'], env)
    expect(second.code).toBe(0)
    expect(JSON.parse(second.stdout)).toEqual({ status: 'duplicate', case: first.stdout.trim().split(' ')[1] })
  })

  it.each([
    ['a missing file', async () => join(dir, 'nope.eml'), /nope\.eml: no such file/],
    [
      'an empty file',
      async () => {
        const f = join(dir, 'empty.eml')
        await writeFile(f, '')
        return f
      },
      /empty/,
    ],
    [
      'a binary file',
      async () => {
        const f = join(dir, 'image.png')
        await writeFile(f, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]))
        return f
      },
      /binary data, not an email/,
    ],
    [
      'text without headers',
      async () => {
        const f = join(dir, 'notes.txt')
        await writeFile(f, 'just some words\nand more\n')
        return f
      },
      /no email headers/,
    ],
  ])('refuses %s with exit 2, one line, and writes nothing', async (_label, makeFile, reason) => {
    const before = await rawRows()
    const result = await runDesk(['ingest', await makeFile(), '--org', org.slug], env)
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(reason)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(await rawRows()).toBe(before)
  })

  it('refuses an unknown org and an unknown command with exit 2', async () => {
    const file = join(dir, 'ok.eml')
    await writeFile(file, buildEml())
    const unknownOrg = await runDesk(['ingest', file, '--org', 'no-such-org'], env)
    expect(unknownOrg.code).toBe(2)
    expect(unknownOrg.stderr).toMatch(/no organization with slug "no-such-org"/)
    expect((await runDesk(['frobnicate'], env)).code).toBe(2)
  })
})

describe('desk ingest --dry-run and --reprocess', () => {
  let db: Db
  let dir: string
  const env = () => ({ DATABASE_URL: testDatabaseUrl(), DESK_DEMO: '0' })
  beforeAll(async () => {
    db = testDb()
    dir = await mkdtemp(join(tmpdir(), 'desk-cli-dry-'))
  })
  afterAll(async () => {
    await db.end()
    await rm(dir, { recursive: true, force: true })
  })

  it('prints the contract fields of a forwarded complaint and writes nothing', async () => {
    const org = await seedOrg(db, { executiveForwarders: ['ceo@example.com'] })
    const file = new URL('./fixtures/mail/synthetic/social-threat-ceo-forward.eml', import.meta.url).pathname
    const result = await runDesk(['ingest', file, '--org', org.slug, '--dry-run', '--json'], env())
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const summary = JSON.parse(result.stdout)
    expect(Object.keys(summary).sort()).toEqual([
      'channel',
      'customer',
      'escalationReason',
      'executive',
      'externalRef',
      'forwardedBy',
      'inReplyTo',
      'isEscalation',
      'language',
      'messageId',
      'reasons',
      'severity',
      'severityReasons',
      'source',
      'subject',
    ])
    expect(summary).toMatchObject({
      isEscalation: true,
      source: 'social',
      channel: null,
      language: 'en',
      customer: { email: 'dana.whitfield@example.net', name: 'Dana Whitfield' },
      forwardedBy: ['ceo@example.com'],
      messageId: 'B7E1-ceo-social-2026@mail.example.com',
      executive: { email: 'ceo@example.com', configured: true },
    })
    expect(Object.keys(summary.reasons).sort()).toEqual([
      'channel',
      'customer',
      'executive',
      'externalRef',
      'isEscalation',
      'language',
      'severity',
      'source',
    ])
    const rows = await withOrg(
      db,
      org.id,
      (tx) => tx`select (select count(*)::int from inbound_raw) + (select count(*)::int from cases) as n`,
    )
    expect(rows[0]!.n).toBe(0)
  })

  it('re-processes a quarantined, unrouted message once it is given an org', async () => {
    const org = await seedOrg(db)
    const file = join(dir, 'stray.eml')
    const stray = buildEml({ to: 'nobody@unknown-domain.test', subject: 'Stray complaint' })
    await writeFile(file, stray)
    const first = await runDesk(['ingest', file, '--json'], env())
    expect(JSON.parse(first.stdout)).toMatchObject({
      status: 'quarantined',
      case: null,
      reason: expect.stringMatching(/no organization receives mail at/),
    })
    const sha256 = createHash('sha256').update(stray).digest('hex')
    const [stored] = await db`select id from inbound_raw where org_id is null and sha256 = ${sha256}`
    const again = await runDesk(['ingest', '--reprocess', stored!.id, '--org', org.slug, '--json'], env())
    expect(again.stderr).toBe('')
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'created', case: expect.stringMatching(/^ESC-/) })
    const twice = await runDesk(['ingest', '--reprocess', stored!.id], env())
    expect(twice).toMatchObject({ code: 2, stderr: expect.stringMatching(/already processed/) })
  })
})
