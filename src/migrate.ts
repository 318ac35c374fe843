import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Db } from './db.ts'

export const defaultMigrationsDir = fileURLToPath(new URL('../sql/', import.meta.url))

type MigrationFile = { version: number; name: string; sql: string; checksum: string }
export type Applied = { version: number; name: string; checksum: string }

export class MigrationError extends Error {}

const FILE_NAME = /^(\d{5})_([a-z0-9][a-z0-9_-]*)\.sql$/

export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.sql')).sort()
  const files: MigrationFile[] = []
  for (const name of names) {
    const match = FILE_NAME.exec(name)
    if (!match) throw new MigrationError(`${name}: migration files are named NNNNN_description.sql`)
    const sql = await readFile(join(dir, name), 'utf8')
    files.push({ version: Number(match[1]), name, sql, checksum: createHash('sha256').update(sql).digest('hex') })
  }
  files.forEach((file, index) => {
    if (file.version !== index + 1) {
      throw new MigrationError(
        `${file.name}: expected migration ${String(index + 1).padStart(5, '0')} here; numbers must run 1, 2, 3… without gaps`,
      )
    }
  })
  return files
}

/** Checks that what the database has applied is exactly a prefix of the files on disk. */
export function checkHistory(files: MigrationFile[], applied: Applied[]): void {
  applied.forEach((row, index) => {
    const file = files[index]
    if (row.version !== index + 1) {
      throw new MigrationError(`database history has a gap before migration ${row.version} (${row.name})`)
    }
    if (!file) throw new MigrationError(`database has migration ${row.name}, which is missing from sql/`)
    if (file.name !== row.name) {
      throw new MigrationError(
        `migration ${row.version} is ${row.name} in the database but ${file.name} on disk; migrations are never renumbered or reordered`,
      )
    }
    if (file.checksum !== row.checksum) {
      throw new MigrationError(`${file.name} changed after it was applied; add a new migration instead`)
    }
  })
}

export type MigrateResult = { applied: string[] }

/**
 * Applies pending migrations forward-only, each in its own transaction. A transaction-scoped
 * advisory lock makes concurrent starts (several app processes) apply each file once. upTo stops
 * after that version (bringing data from an older database in at the schema it was written for).
 */
export async function migrate(db: Db, dir = defaultMigrationsDir, options: { upTo?: number } = {}): Promise<MigrateResult> {
  const files = await readMigrations(dir)
  const done: string[] = []
  for (;;) {
    const next = await db.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(7433001)`
      await tx`
        create table if not exists schema_migrations (
          version integer primary key,
          name text not null,
          checksum text not null,
          applied_at timestamptz not null default now()
        )`
      const applied = await tx<Applied[]>`select version, name, checksum from schema_migrations order by version`
      checkHistory(files, applied)
      const file = files[applied.length]
      if (!file || file.version > (options.upTo ?? Infinity)) return null
      // The file's name goes with the error: "which migration could not run" is the first question.
      await tx.unsafe(file.sql).catch((error: unknown) => {
        throw Object.assign(error as object, { migration: file.name })
      })
      await tx`insert into schema_migrations ${tx({ version: file.version, name: file.name, checksum: file.checksum })}`
      return file.name
    })
    if (!next) return { applied: done }
    done.push(next)
  }
}
