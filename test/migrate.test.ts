import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type Db } from '../src/db.ts'
import { defaultMigrationsDir, migrate } from '../src/migrate.ts'
import { dropDatabase, testDatabaseName, withDatabase } from './support/databases.ts'

describe('migrations', () => {
  const name = testDatabaseName('migrate')
  let db: Db
  let dir: string

  beforeAll(async () => {
    db = connect(await withDatabase(name), { max: 2 })
    dir = await mkdtemp(join(tmpdir(), 'desk-sql-'))
    await cp(defaultMigrationsDir, dir, { recursive: true })
  })
  afterAll(async () => {
    await db.end()
    await dropDatabase(name)
    await rm(dir, { recursive: true, force: true })
  })

  it('applies every file to an empty database, then does nothing on a re-run', async () => {
    const first = await migrate(db, dir)
    expect(first.applied[0]).toBe('00001_foundation.sql')
    const tables = await db<{ tablename: string }[]>`select tablename from pg_tables where schemaname = 'public'`
    expect(tables.map((t) => t.tablename)).toEqual(
      expect.arrayContaining(['orgs', 'app_users', 'inbound_raw', 'cases', 'messages', 'audit_events', 'jobs']),
    )
    expect(await migrate(db, dir)).toEqual({ applied: [] })
  })

  it('applies a new file once, even when two processes start together', async () => {
    const count = (await db`select count(*)::int as n from schema_migrations`)[0]!.n as number
    const file = join(dir, `${String(count + 1).padStart(5, '0')}_probe.sql`)
    await writeFile(file, 'create table probe (id int);')
    const results = await Promise.all([migrate(db, dir), migrate(db, dir)])
    expect(results.flatMap((r) => r.applied)).toEqual([`${String(count + 1).padStart(5, '0')}_probe.sql`])
    await rm(file)
  })

  it('refuses a gap in the numbering', async () => {
    const gapDir = await mkdtemp(join(tmpdir(), 'desk-sql-gap-'))
    await cp(defaultMigrationsDir, gapDir, { recursive: true })
    await writeFile(join(gapDir, '00005_skipped.sql'), 'select 1;')
    await expect(migrate(db, gapDir)).rejects.toThrow(/without gaps/)
    await rm(gapDir, { recursive: true })
  })

  it('refuses a reordered or removed history', async () => {
    // The database has applied every real file plus a probe; a directory that lacks the probe,
    // or has another file in its place, is refused rather than silently diverging.
    await expect(migrate(db, defaultMigrationsDir)).rejects.toThrow(/missing from sql|on disk/)
    const swapped = await mkdtemp(join(tmpdir(), 'desk-sql-swap-'))
    await cp(defaultMigrationsDir, swapped, { recursive: true })
    const count = (await db`select count(*)::int as n from schema_migrations`)[0]!.n as number
    await writeFile(join(swapped, `${String(count).padStart(5, '0')}_other.sql`), 'select 1;')
    await expect(migrate(db, swapped)).rejects.toThrow(/renumbered or reordered|without gaps/)
    await rm(swapped, { recursive: true })
  })

  it('refuses an applied file that was edited', async () => {
    const edited = await mkdtemp(join(tmpdir(), 'desk-sql-edit-'))
    await cp(dir, edited, { recursive: true })
    await writeFile(join(edited, '00001_foundation.sql'), '-- edited\n', { flag: 'a' })
    await expect(migrate(db, edited)).rejects.toThrow(/changed after it was applied/)
    await rm(edited, { recursive: true })
  })
})
