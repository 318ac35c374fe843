import type { Env } from '../env.ts'
import { probeHealthz } from './probes.ts'
import { appliedMigrations } from './queries.ts'
import { fail, pass, type Check, type SetupContext } from './verdict.ts'

// The checks of the server itself, the same for every organization: its database and its address.

export async function checkDatabase(ctx: SetupContext): Promise<Check> {
  let applied: string[]
  try {
    applied = await appliedMigrations(ctx.db)
  } catch (error) {
    return fail(
      'database',
      `The database cannot be reached: ${(error as Error).message}.`,
      'Check DATABASE_URL (or, without it, that the embedded PostgreSQL in DATA_DIR can start) and that PostgreSQL is running.',
    )
  }
  const latest = applied.at(-1) ?? 'none'
  if (!ctx.migrationFiles) {
    return pass(
      'database',
      `Reachable; ${applied.length} migrations applied (latest ${latest}). This runtime cannot list sql/ to compare; \`desk doctor\` can.`,
    )
  }
  const missing = ctx.migrationFiles.filter((name) => !applied.includes(name))
  const unknown = applied.filter((name) => !ctx.migrationFiles!.includes(name))
  if (unknown.length) {
    return fail(
      'database',
      `The database has migrations this code does not know: ${unknown.join(', ')}.`,
      'Deploy the code those migrations came with; migrations never run backwards.',
    )
  }
  if (missing.length) {
    return fail(
      'database',
      `Reachable, but ${missing.length} migration${missing.length === 1 ? ' is' : 's are'} not applied: ${missing.join(', ')}.`,
      'Run `desk migrate` (the server also applies them when it starts).',
    )
  }
  return pass('database', `Reachable; all ${applied.length} migrations applied (latest ${latest}).`)
}

const isLoopback = (host: string) => host === 'localhost' || host === '[::1]' || /^127\./.test(host)

export async function checkPublicUrl(env: Env, fetchImpl?: typeof fetch): Promise<Check> {
  // The default, `http://localhost:<PORT>` of this process or of the running server the CLI asked.
  if (/^http:\/\/localhost:\d+$/.test(env.PUBLIC_URL)) {
    return fail(
      'public_url',
      `PUBLIC_URL is not set: links in mail point at ${env.PUBLIC_URL}, which only this machine can open.`,
      'Set PUBLIC_URL to the https:// address customers, approvers and mail providers reach this desk at.',
    )
  }
  const reached = await probeHealthz(env.PUBLIC_URL, fetchImpl)
  if (!reached.ok) {
    return fail(
      'public_url',
      `PUBLIC_URL is ${env.PUBLIC_URL}, but ${reached.reason}.`,
      'Check DNS, the proxy or load balancer in front of the desk, and that the server is running; the address must answer /healthz.',
    )
  }
  const host = new URL(env.PUBLIC_URL).hostname
  const where = isLoopback(host) ? ' (a loopback address: only this machine can follow these links)' : ''
  return pass('public_url', `${env.PUBLIC_URL} answers its health check from this server${where}.`)
}
