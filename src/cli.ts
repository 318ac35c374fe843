import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import type { Db } from './db.ts'
import { describeUnusableInput, ingestMessage } from './intake/intake.ts'
import { migrate } from './migrate.ts'
import { ensureDemoOrg } from './orgs/demo.ts'
import { findOrgBySlug } from './orgs/queries.ts'
import { loadEnv, openDatabase } from './runtime.ts'

/** Bad input: one line on stderr, exit code 2, nothing written. */
class UsageError extends Error {}

const usage = `usage: desk <command>
  migrate                                  apply database migrations (and create the demo org on an empty database)
  ingest <file.eml|-> [--org SLUG] [--json]  turn one raw email into a case`

async function withDatabase<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const env = loadEnv()
  const database = await openDatabase(env, 'attach')
  try {
    await migrate(database.db)
    if (env.DESK_DEMO) await ensureDemoOrg(database.db)
    return await fn(database.db)
  } finally {
    await database.close()
  }
}

async function readInput(path: string): Promise<Uint8Array> {
  if (path === '-') {
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return new Uint8Array(Buffer.concat(chunks))
  }
  try {
    return new Uint8Array(await readFile(path))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new UsageError(`${path}: no such file`)
    if (code === 'EISDIR') throw new UsageError(`${path}: is a directory, expected an .eml file`)
    throw new UsageError(`${path}: cannot read it (${code ?? (error as Error).message})`)
  }
}

async function ingest(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { org: { type: 'string', default: 'demo' }, json: { type: 'boolean', default: false } },
  })
  const [path] = positionals
  if (!path || positionals.length > 1) throw new UsageError('ingest takes one file (or - for standard input): desk ingest message.eml')
  const raw = await readInput(path)
  const problem = describeUnusableInput(raw)
  if (problem) throw new UsageError(`${path === '-' ? 'standard input' : path}: ${problem}`)

  const outcome = await withDatabase(async (db) => {
    const org = await findOrgBySlug(db, values.org)
    if (!org) throw new UsageError(`no organization with slug "${values.org}" (use --org SLUG)`)
    return ingestMessage(db, { orgId: org.id, raw, provider: 'cli' })
  })
  if (values.json) {
    const { rawId: _rawId, ...contract } = outcome
    console.log(JSON.stringify(contract))
  } else {
    console.log(outcome.status === 'quarantined' ? `quarantined: ${outcome.reason}` : `${outcome.status} ${outcome.case}`)
  }
}

const commands: Record<string, (args: string[]) => Promise<void>> = {
  migrate: async () => {
    const env = loadEnv()
    const database = await openDatabase(env, 'attach')
    try {
      const { applied } = await migrate(database.db)
      console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date')
      if (env.DESK_DEMO && (await ensureDemoOrg(database.db))) console.log('created the demo organization "demo" (admin@example.com)')
    } finally {
      await database.close()
    }
  },
  ingest,
}

const [name, ...rest] = process.argv.slice(2)
const command = name ? commands[name] : undefined
if (!command) {
  console.error(name ? `desk: unknown command "${name}"\n${usage}` : usage)
  process.exit(2)
}
try {
  await command(rest)
} catch (error) {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`desk ${name}: ${(error as Error).message}`)
    process.exit(2)
  }
  console.error(`desk ${name}: ${(error as Error).message}`)
  process.exit(1)
}
