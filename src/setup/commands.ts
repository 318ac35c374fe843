import { parseArgs } from 'node:util'
import { UsageError, type Command } from '../cli/command.ts'
import type { Db } from '../db.ts'
import { loadEnv, openDatabase, withServerUrl, type Database } from '../runtime.ts'
import { allPass, checkOrg, checkServer, checkTitles, type Check } from './checks.ts'
import { shippedMigrations } from './migration-files.ts'

type Line = { org: string | null; check: Check }

/** One line per check: the verdict, the org (when there are several), what was found, what to do. */
function formatLine({ org, check }: Line): string {
  const what = `${org ? `${org}: ` : ''}${check.title}`
  return `${check.ok ? 'PASS' : 'FAIL'}  ${what}: ${check.summary}${check.fix ? ` Fix: ${check.fix}` : ''}`
}

/** Every org (owner connection: the doctor is the operator's view), or the one asked for. */
async function orgsToCheck(db: Db, slug: string | undefined): Promise<{ id: string; slug: string }[]> {
  const orgs = await db<{ id: string; slug: string }[]>`select id, slug from orgs ${slug ? db`where slug = ${slug}` : db``} order by slug`
  if (slug && orgs.length === 0) throw new UsageError(`no organization with slug "${slug}" (check --org)`)
  return orgs
}

async function diagnose(database: Database | null, openError: Error | null, slug: string | undefined): Promise<Line[]> {
  const env = loadEnv()
  if (!database) {
    const check: Check = {
      id: 'database',
      title: checkTitles.database,
      ok: false,
      lines: [],
      summary: `The database cannot be opened: ${openError?.message ?? 'unknown error'}.`,
      fix: 'Check DATABASE_URL (or, without it, that the embedded PostgreSQL in DATA_DIR can start).',
    }
    return [{ org: null, check }]
  }
  // Without PUBLIC_URL of its own, the doctor checks the links the running server writes (a
  // database it cannot reach is the database check's to report).
  const ctx = { db: database.db, env: await withServerUrl(database.db, env).catch(() => env), migrationFiles: await shippedMigrations() }
  const server = await checkServer(ctx)
  if (!server.database.ok) return [{ org: null, check: server.database }]
  const orgs = await orgsToCheck(database.db, slug)
  const lines: Line[] = [
    { org: null, check: server.database },
    { org: null, check: server.publicUrl },
  ]
  if (orgs.length === 0) {
    lines.push({
      org: null,
      check: {
        id: 'organization',
        title: checkTitles.organization,
        ok: false,
        lines: [],
        summary: 'There is no organization yet.',
        fix: 'Create one: desk org create --slug SLUG --name NAME --inbound ADDRESS --admin EMAIL.',
      },
    })
  }
  for (const org of orgs) {
    const result = await checkOrg(ctx, server, org.id)
    // The database and PUBLIC_URL lines are the server's, printed once above.
    for (const check of result?.checks.slice(2) ?? []) lines.push({ org: orgs.length > 1 || slug ? org.slug : null, check })
  }
  return lines
}

export const doctorCommand: Command = {
  name: 'doctor',
  usage: 'doctor [--org SLUG] [--json]   check, live, everything going live needs (exit 0 only when all pass)',
  async run(args) {
    const { values } = parseArgs({ args, options: { org: { type: 'string' }, json: { type: 'boolean', default: false } } })
    const env = loadEnv()
    // Opened without migrating: the doctor reports a missing migration instead of applying it.
    let database: Database | null = null
    let openError: Error | null = null
    try {
      database = await openDatabase(env)
    } catch (error) {
      openError = error as Error
    }
    try {
      const lines = await diagnose(database, openError, values.org)
      if (values.json) console.log(JSON.stringify(lines.map(({ org, check }) => ({ org, ...check }))))
      else for (const line of lines) console.log(formatLine(line))
      return allPass(lines.map((l) => l.check)) ? 0 : 1
    } finally {
      await database?.close()
    }
  },
}
