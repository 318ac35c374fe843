import { rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { connect, type Db, type DbOrTx } from '../db.ts'
import { openEmbedded, pgliteDir } from '../embedded.ts'
import { checkHistory, migrate, readMigrations, defaultMigrationsDir, type Applied } from '../migrate.ts'
import { loadEnv } from '../runtime.ts'
import { UsageError, type Command } from './command.ts'

// `desk import-pglite`: carries the PGlite database of an earlier version of the desk
// (DATA_DIR/pg) into the embedded PostgreSQL. The new database gets the schema the old one had
// (the same migrations, up to the same version), then every row as it was, then the newer
// migrations: the migrations, not a dump, define the schema, so roles, grants and row-level
// security are the ones a fresh database has.

/** What the copy reads from: PGlite's query() has exactly this shape. */
export type Source = { query: <T>(text: string, params?: unknown[]) => Promise<{ rows: T[] }> }

export type CopyResult = { version: number; tables: number; rows: number }

const BATCH = 500

export const ident = (name: string) => `"${name.replaceAll('"', '""')}"`

/** The copyable columns of each table: everything but generated columns, in table order. */
export async function targetTables(db: DbOrTx): Promise<Map<string, string[]>> {
  const rows = await db<{ table: string; column: string }[]>`
    select c.table_name as table, c.column_name as column
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and c.is_generated = 'NEVER'
      and c.table_name <> 'schema_migrations'
    order by c.table_name, c.ordinal_position`
  const tables = new Map<string, string[]>()
  for (const { table, column } of rows) tables.set(table, [...(tables.get(table) ?? []), column])
  return tables
}

/**
 * Copies one table in batches. Rows travel as JSON text: PostgreSQL's own rendering of each value
 * (timestamps to the microsecond, bytea as hex, numerics exactly), read back by the same type's
 * input function, so audit hashes computed over them still match.
 */
async function copyTable(source: Source, superuser: DbOrTx, table: string, columns: string[]): Promise<number> {
  const list = columns.map(ident).join(', ')
  let copied = 0
  for (;;) {
    const { rows } = await source.query<{ batch: string | null; n: number }>(
      `select json_agg(t)::text as batch, count(*)::int as n from (select ${list} from ${ident(table)} order by ctid limit ${BATCH} offset ${copied}) t`,
    )
    const { batch, n } = rows[0] ?? { batch: null, n: 0 }
    if (!batch || n === 0) return copied
    await insertBatch(superuser, table, columns, batch)
    copied += n
  }
}

/** Writes one batch of rows given as a JSON array of objects (PostgreSQL's own rendering of each value). */
export async function insertBatch(superuser: DbOrTx, table: string, columns: string[], batch: string): Promise<void> {
  const list = columns.map(ident).join(', ')
  await superuser.unsafe(
    `insert into ${ident(table)} (${list}) overriding system value select ${list} from json_populate_recordset(null::${ident(table)}, $1::text::json)`,
    [batch],
  )
}

/** Sequences continue where the old database's were, so new ids never collide with copied ones. */
async function copySequences(source: Source, superuser: DbOrTx): Promise<void> {
  const sequences = await superuser<{ name: string }[]>`select sequencename as name from pg_sequences where schemaname = 'public'`
  for (const { name } of sequences) {
    const { rows } = await source.query<{ last: string; called: boolean }>(
      `select last_value::text as last, is_called as called from ${ident(name)}`,
    )
    if (rows[0]) await superuser`select setval(${name}::regclass, ${rows[0].last}::bigint, ${rows[0].called})`
  }
}

/**
 * Copies source into the empty database behind owner (which runs the migrations) and superuser
 * (which writes the rows: with session_replication_role = replica no trigger fires, so the
 * append-only and approval-gate triggers accept history as it was, and foreign keys are not
 * checked table by table).
 */
export async function copyDatabase(source: Source, owner: Db, superuser: Db, dir = defaultMigrationsDir): Promise<CopyResult> {
  const files = await readMigrations(dir)
  const applied = (await source.query<Applied>('select version, name, checksum from schema_migrations order by version')).rows
  checkHistory(files, applied)
  const [existing] = await owner<{ n: number }[]>`select count(*)::int as n from pg_tables where schemaname = 'public'`
  if (existing!.n > 0)
    throw new UsageError(
      'the embedded PostgreSQL already holds a database; import-pglite fills only a new one (move .data/postgres away first)',
    )
  const version = applied.at(-1)?.version ?? 0
  await migrate(owner, dir, { upTo: version })
  const tables = await targetTables(owner)
  let rows = 0
  await superuser.begin(async (tx) => {
    await tx`set local session_replication_role = replica`
    for (const [table, columns] of tables) rows += await copyTable(source, tx, table, columns)
    await copySequences(source, tx)
  })
  await migrate(owner, dir)
  return { version, tables: tables.size, rows }
}

type PGliteModule = { PGlite: { create: (options: { dataDir: string }) => Promise<Source & { close: () => Promise<void> }> } }

async function loadPGlite(): Promise<PGliteModule> {
  try {
    // A variable specifier: PGlite is not a dependency, only this command's one-time reader.
    const name = '@electric-sql/pglite'
    return (await import(name)) as PGliteModule
  } catch {
    throw new UsageError('PGlite is not installed: run `npm install --no-save @electric-sql/pglite@0.5.14` first (only for this import)')
  }
}

export const importPgliteCommand: Command = {
  name: 'import-pglite',
  usage: 'import-pglite   carry the PGlite database of an earlier version (DATA_DIR/pg) into the embedded PostgreSQL',
  async run() {
    const env = loadEnv()
    if (env.DATABASE_URL) throw new UsageError('import-pglite fills the embedded PostgreSQL in DATA_DIR; unset DATABASE_URL')
    const from = pgliteDir(env.DATA_DIR)
    if (!(await stat(join(from, 'PG_VERSION')).catch(() => null))) throw new UsageError(`no PGlite database in ${from}`)
    const { PGlite } = await loadPGlite()
    const source = await PGlite.create({ dataDir: from })
    const embedded = await openEmbedded(env.DATA_DIR, { besidePGlite: true })
    const owner = connect(embedded.url, { max: 2 })
    const superuser = connect(embedded.superuserUrl, { max: 1 })
    let result: CopyResult
    try {
      result = await copyDatabase(source, owner, superuser)
    } finally {
      await Promise.all([owner.end(), superuser.end(), source.close()])
      await embedded.close()
    }
    await rename(from, `${from}.imported`)
    await rm(join(env.DATA_DIR, 'embedded.json'), { force: true }) // the PGlite version's holder file
    console.log(
      `imported ${result.rows} rows of ${result.tables} tables (schema version ${result.version}) from ${from}, now ${from}.imported`,
    )
  },
}
