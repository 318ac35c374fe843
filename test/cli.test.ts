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
    ['an empty file', async () => { const f = join(dir, 'empty.eml'); await writeFile(f, ''); return f }, /empty/],
    ['a binary file', async () => { const f = join(dir, 'image.png'); await writeFile(f, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])); return f }, /binary data, not an email/],
    ['text without headers', async () => { const f = join(dir, 'notes.txt'); await writeFile(f, 'just some words\nand more\n'); return f }, /no email headers/],
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
