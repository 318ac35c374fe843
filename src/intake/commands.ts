import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { UsageError, requireOrg, withDatabase, type Command } from '../cli/command.ts'
import { createAnalysisPool, type AnalysisPool, type AnalysisPoolOptions } from './analysis-pool.ts'
import type { DryRun } from './analyze.ts'
import { withOrg } from '../db.ts'
import { describeUnusableInput } from './intake.ts'
import { orgContext } from './org-context.ts'
import { loadIntakeContext } from '../orgs/intake-context.ts'
import { reprocessRaw } from './reprocess.ts'
import { findOrgByRecipient, headerRecipients } from './routing.ts'
import { receiveMail, publicOutcome } from './webhooks/receive.ts'

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

export const ingestCommand: Command = {
  name: 'ingest',
  usage: 'ingest <file.eml|-> [--org SLUG] [--dry-run] [--json] | ingest --reprocess <id> [--org SLUG]   turn raw email into cases',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        org: { type: 'string' },
        json: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        reprocess: { type: 'string' },
      },
    })
    if (values.reprocess) {
      const result = await withAnalysisPool((pool) =>
        withDatabase(async (db) => {
          const org = values.org ? await requireOrg(db, values.org) : null
          return reprocessRaw(db, values.reprocess!, org?.id ?? null, pool.analyze)
        }),
      )
      if (!result.ok) throw new UsageError(result.reason)
      printOutcome(result.outcome, values.json)
      return
    }
    if (positionals.length === 0) throw new UsageError('give a file (or - for standard input): desk ingest message.eml')
    // Read and check everything first: bad input is refused before anything is written.
    const inputs: { name: string; raw: Uint8Array }[] = []
    for (const path of positionals) {
      const raw = await readInput(path)
      const name = path === '-' ? 'standard input' : path
      const problem = describeUnusableInput(raw)
      if (problem) throw new UsageError(`${name}: ${problem}`)
      inputs.push({ name, raw })
    }

    await withAnalysisPool((pool) =>
      withDatabase(async (db, env) => {
        const org = values.org ? await requireOrg(db, values.org) : null
        for (const input of inputs) {
          if (values['dry-run']) {
            const routed = org ?? (await findOrgByRecipient(db, headerRecipients(input.raw)))
            const context = routed ? await withOrg(db, routed.id, (tx) => loadIntakeContext(tx, routed.id)) : orgContext()
            const analysis = await pool.analyze(input.raw, context)
            if (!analysis.ok) throw new UsageError(`${input.name}: ${analysis.reason}`)
            console.log(values.json ? JSON.stringify(analysis.summary) : describeDryRun(input.name, analysis.summary))
            continue
          }
          const outcome = await receiveMail(db, { orgSlug: org?.slug, raw: input.raw, provider: 'cli', analyze: pool.analyze, env })
          printOutcome(outcome, values.json)
        }
      }),
    )
  },
}

/** Mail from a file is as hostile as mail from the internet: it is analysed on a worker thread too. */
async function withAnalysisPool<T>(fn: (pool: AnalysisPool) => Promise<T>, options: AnalysisPoolOptions = { size: 1 }): Promise<T> {
  const pool = createAnalysisPool(options)
  try {
    return await fn(pool)
  } finally {
    await pool.close()
  }
}

function printOutcome(outcome: { status: string; case: string | null; reason?: string }, json: boolean) {
  if (json) console.log(JSON.stringify(publicOutcome(outcome)))
  else console.log(outcomeLine(outcome))
}

function outcomeLine(outcome: { status: string; case: string | null; reason?: string }): string {
  if (outcome.status === 'quarantined') return `quarantined: ${outcome.reason}`
  if (outcome.status === 'not_escalation')
    return `not an escalation${outcome.case ? ` (attached to ${outcome.case})` : ''}: ${outcome.reason}`
  return outcome.case ? `${outcome.status} ${outcome.case}` : outcome.status
}

function describeDryRun(name: string, s: DryRun): string {
  if (!s.isEscalation) return `${name}: not an escalation (${s.escalationReason}): ${s.subject}`
  const who = [s.customer.name, s.customer.email && `<${s.customer.email}>`].filter(Boolean).join(' ') || 'unknown customer'
  const via = s.forwardedBy.length ? ` (forwarded by ${s.forwardedBy.join(' → ')})` : ''
  const channel = s.channel ? ` via ${s.channel.name ?? s.channel.kind}` : ''
  const language = s.language ? ` [${s.language}]` : ''
  return `${name}: ${s.source} ${s.severity} from ${who}${channel}${via}${language}: ${s.subject}${s.externalRef ? ` [${s.externalRef}]` : ''}\n  ${s.severityReasons.join('; ')}`
}

export const smtpCommand: Command = {
  name: 'smtp',
  usage: 'smtp [--port N]   receive mail over SMTP (default port SMTP_PORT, 2525) into cases',
  async run(args) {
    const { values } = parseArgs({ args, options: { port: { type: 'string' } } })
    const port = values.port === undefined ? undefined : Number(values.port)
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
      throw new UsageError(`--port expects a port number from 0 to 65535, got "${values.port}"`)
    }
    // Loaded here, not at the top: the other commands need not load an SMTP server.
    const { startSmtpListener } = await import('./smtp.ts')
    await withAnalysisPool(
      (pool) =>
        withDatabase(async (db, env) => {
          const listener = await startSmtpListener(db, {
            port: port ?? env.SMTP_PORT,
            host: env.HOST,
            maxBytes: env.MAX_MESSAGE_BYTES,
            analyze: pool.analyze,
            env,
          })
          console.log(`SMTP listener ready on ${env.HOST}:${listener.port} (messages up to ${env.MAX_MESSAGE_BYTES} bytes)`)
          // Runs until stopped; the database closes only after the listener has finished its sessions.
          const signal = await new Promise<string>((resolve) => {
            process.once('SIGINT', () => resolve('SIGINT'))
            process.once('SIGTERM', () => resolve('SIGTERM'))
          })
          console.log(`${signal}: stopping the SMTP listener`)
          await listener.close()
        }),
      {},
    )
  },
}
