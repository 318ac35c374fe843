import { chmod, mkdir, mkdtemp, readdir, rm, writeFile, readFile } from 'node:fs/promises'
import { gunzipSync, gzipSync } from 'node:zlib'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyAuditChain } from '../../src/audit/audit.ts'
import { restoreBackup, writeBackup } from '../../src/cli/backup.ts'
import { migrate } from '../../src/migrate.ts'
import { connect, type Db } from '../../src/db.ts'
import { erasePerson } from '../../src/privacy/erase.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDatabaseUrl, testDb } from '../support/db.ts'
import { runDesk } from '../support/process.ts'
import { dropDatabase, testDatabaseName, withDatabase } from '../support/databases.ts'

// A backup of the run's database (while other test files write to it: one snapshot), restored
// into a fresh database: the same rows, the audit chain verifies (an erased person included),
// sequences continue, and a damaged file restores nothing.

describe('desk backup and restore', () => {
  let db: Db
  let dir: string
  const fresh: string[] = []
  beforeAll(async () => {
    db = testDb(2)
    dir = await mkdtemp(join(tmpdir(), 'desk-backup-'))
  })
  afterAll(async () => {
    await db.end()
    for (const name of fresh) await dropDatabase(name)
    await rm(dir, { recursive: true, force: true })
  })

  async function freshDatabase(): Promise<Db> {
    const name = testDatabaseName('restore')
    fresh.push(name)
    return connect(await withDatabase(name), { max: 2 })
  }

  // The run's whole database, which grows with the suite: a longer budget than the default 30 s.
  it('restores into a fresh database with every row, and the audit chain verifies', { timeout: 120_000 }, async () => {
    const org = await seedOrg(db)
    const admin = await seedUser(db, org.id, 'admin')
    for (let i = 0; i < 3; i++) await seedCase(db, org.id, { from: `Lee ${i} <lee${i}@other.test>` })
    await seedCase(db, org.id, { from: 'Pat Doe <pat@customer.test>' })
    await erasePerson(db, org.id, admin.id, 'pat@customer.test', false)
    const file = join(dir, 'desk.jsonl.gz')
    const { rows } = await writeBackup(db, file)
    expect(rows).toBeGreaterThan(10)

    const target = await freshDatabase()
    try {
      const restored = await restoreBackup(file, target, target)
      expect(restored.rows).toBe(rows)
      const [before] = await db`select count(*)::int as n, max(seq)::int as last from audit_events where org_id = ${org.id}`
      const [after] = await target`select count(*)::int as n, max(seq)::int as last from audit_events where org_id = ${org.id}`
      expect(after).toEqual(before)
      expect(await verifyAuditChain(target, org.id)).toEqual({ ok: true, events: before!.n })
      const [erased] = await target`select count(*)::int as n from cases where org_id = ${org.id} and content_removed_reason = 'erasure'`
      expect(erased!.n).toBe(1)
      // New rows continue the sequences instead of colliding with restored ones.
      const [restoredMax] = await target`select max(id)::text as id from jobs`
      const [job] = await target`insert into jobs (org_id, kind) values (${org.id}, 'test') returning id::text`
      expect(BigInt(job!.id)).toBeGreaterThan(BigInt(restoredMax!.id))
      // And a second restore into the now full database is refused.
      await expect(restoreBackup(file, target, target)).rejects.toThrow(/not empty/)
    } finally {
      await target.end()
    }
  })

  it('a truncated backup restores nothing; a file that is not a backup is refused', async () => {
    // A small database of its own: what is refused does not depend on how much the run has written.
    const source = await freshDatabase()
    try {
      await migrate(source)
      const org = await seedOrg(source)
      await seedCase(source, org.id, { from: 'Lee <lee@other.test>' })
      await writeBackup(source, join(dir, 'whole.jsonl.gz'))
    } finally {
      await source.end()
    }
    const file = join(dir, 'whole.jsonl.gz')
    const lines = gunzipSync(await readFile(file))
      .toString('utf8')
      .trimEnd()
      .split('\n')
    const truncated = join(dir, 'truncated.jsonl.gz')
    await writeFile(truncated, gzipSync(lines.slice(0, -1).join('\n') + '\n'))
    const target = await freshDatabase()
    try {
      await expect(restoreBackup(truncated, target, target)).rejects.toThrow(/truncated/)
      const [orgs] = await target`select count(*)::int as n from orgs`
      expect(orgs!.n).toBe(0)
      const junk = join(dir, 'junk.gz')
      await writeFile(junk, gzipSync('{"hello":1}\n'))
      await expect(restoreBackup(junk, target, target)).rejects.toThrow(/not a desk backup/)
    } finally {
      await target.end()
    }
  })

  it('desk backup --out DIR, then desk restore --from FILE into a new embedded database: audit verify passes there', async () => {
    const org = await seedOrg(db)
    await seedCase(db, org.id, { from: 'Lee <lee@other.test>' })
    const backups = join(dir, 'backups')
    await mkdir(backups)
    const made = await runDesk(['backup', '--out', backups], { DATABASE_URL: testDatabaseUrl(), DESK_DEMO: '0' })
    expect(made.stderr).toBe('')
    const [file] = await readdir(backups)
    expect(file).toMatch(/^desk-backup-.*\.jsonl\.gz$/)
    // The embedded server runs as the postgres user when we are root: it must reach DATA_DIR.
    const home = await mkdtemp(join(tmpdir(), 'desk-restore-'))
    await chmod(home, 0o755)
    try {
      const env = { DATA_DIR: join(home, '.data'), DESK_DEMO: '0' }
      const refused = await runDesk(['restore', '--from', join(backups, file!)], { DATABASE_URL: testDatabaseUrl() })
      expect(refused).toMatchObject({ code: 2, stderr: expect.stringMatching(/unset DATABASE_URL/) })
      const restored = await runDesk(['restore', '--from', join(backups, file!)], env)
      expect(restored.stderr).toBe('')
      expect(restored.stdout).toMatch(/^restored \d+ rows/)
      const verify = await runDesk(['audit', 'verify', '--org', org.slug], env)
      expect(verify).toMatchObject({ code: 0, stdout: expect.stringMatching(/intact/) })
    } finally {
      await rm(home, { recursive: true, force: true })
    }
  }, 120_000)
})
