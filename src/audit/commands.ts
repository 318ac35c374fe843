import { readFile, stat } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { UsageError, requireOrg, withDatabase, type Command } from '../cli/command.ts'
import { withOrg, type Db } from '../db.ts'
import type { Env } from '../env.ts'
import type { Org } from '../orgs/queries.ts'
import { createMailer } from '../outbound/mailer.ts'
import { verifyAuditChain } from './audit.ts'
import { mailCheckpoint, postCheckpoint } from './checkpoint-delivery.ts'
import { checkpointKey, parseCheckpoint, takeCheckpoint, verifyAgainstCheckpoint, type AuditCheckpoint } from './checkpoint.ts'
import { exportAudit } from './export.ts'

const subcommands =
  'audit verify --org SLUG [--against FILE] | audit checkpoint --org SLUG [--mail] [--post URL] | audit export --org SLUG [--case ESC-n]'

export const auditCommand: Command = {
  name: 'audit',
  usage: `${subcommands}   check, anchor or export the audit trail`,
  async run(args) {
    const [sub, ...rest] = args
    if (sub === 'verify') return verify(rest)
    if (sub === 'checkpoint') return checkpoint(rest)
    if (sub === 'export') return exportTrail(rest)
    throw new UsageError(`use ${subcommands}`)
  },
}

// Read as the owner: verification must see exactly what is stored, whoever changed it.
async function verify(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { org: { type: 'string' }, against: { type: 'string' } } })
  const against = values.against === undefined ? null : await readCheckpointFile(values.against)
  return withDatabase(async (db, env) => {
    const org = await requireOrg(db, values.org)
    if (against) return verifyAgainst(db, env, org, against)
    const result = await verifyAuditChain(db, org.id)
    if (result.ok) {
      console.log(`audit trail of ${org.slug} is intact: ${result.events} events`)
      return 0
    }
    console.error(`audit trail of ${org.slug} is BROKEN at event ${result.first.seq}: ${result.first.problem}`)
    return 1
  })
}

async function verifyAgainst(db: Db, env: Env, org: Org, checkpoint: AuditCheckpoint): Promise<number> {
  const verdict = await verifyAgainstCheckpoint(db, await checkpointKey(db, env.LINK_SECRET), org.id, checkpoint)
  if (verdict.ok) {
    const covered = verdict.covered === 0 ? 'it was taken before the first event' : `events 1 to ${verdict.covered} unchanged`
    const newer = verdict.lastSeq - verdict.covered
    const after =
      newer === 0
        ? 'no events after it'
        : `${newer} events after it (${verdict.covered + 1} to ${verdict.lastSeq}), which it does not cover`
    console.log(`audit trail of ${org.slug} is intact against the checkpoint of ${checkpoint.takenAt}: ${covered}; ${after}`)
    return 0
  }
  if (verdict.kind === 'other_org') throw new UsageError(verdict.reason)
  if (verdict.kind === 'refused') {
    console.error(`checkpoint REFUSED: ${verdict.reason}`)
    return 1
  }
  console.error(`audit trail of ${org.slug} is BROKEN against the checkpoint of ${checkpoint.takenAt}:`)
  for (const problem of verdict.problems) console.error(`  ${problem}`)
  return 1
}

// A checkpoint is a few hundred bytes; anything much larger is not one, and is not read whole.
const maxCheckpointBytes = 64 * 1024

async function readCheckpointFile(path: string): Promise<AuditCheckpoint> {
  try {
    if ((await stat(path)).size > maxCheckpointBytes) throw new UsageError(`${path} is not an audit checkpoint (too large)`)
    const checkpoint = parseCheckpoint(await readFile(path, 'utf8'))
    if (!checkpoint) throw new UsageError(`${path} is not an audit checkpoint (expected the JSON that desk audit checkpoint prints)`)
    return checkpoint
  } catch (error) {
    if (error instanceof UsageError) throw error
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new UsageError(`${path}: no such file`)
    throw new UsageError(`${path}: cannot read it (${code ?? (error as Error).message})`)
  }
}

async function checkpoint(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { org: { type: 'string' }, mail: { type: 'boolean', default: false }, post: { type: 'string' } },
  })
  if (values.post !== undefined && !/^https?:\/\/[^\s]+$/i.test(values.post)) throw new UsageError('--post expects an http(s):// URL')
  return withDatabase(async (db, env) => {
    const org = await requireOrg(db, values.org)
    const taken = await takeCheckpoint(db, await checkpointKey(db, env.LINK_SECRET), org)
    if (!taken.ok) {
      console.error(`no checkpoint taken for ${org.slug}: ${taken.reason}`)
      return 1
    }
    // Printed first: whatever happens to the copies sent below, the operator holds this one.
    console.log(JSON.stringify(taken.checkpoint))
    let code = 0
    const deliveries = [
      ...(values.mail ? [mailCheckpoint(db, createMailer(db, env), taken.checkpoint, org.name)] : []),
      ...(values.post !== undefined ? [postCheckpoint(values.post, taken.checkpoint)] : []),
    ]
    for (const delivery of await Promise.all(deliveries)) {
      if (delivery.ok) console.error(`checkpoint sent to ${delivery.to.join(', ')}`)
      else {
        console.error(`could not send the checkpoint: ${delivery.reason}`)
        code = 1
      }
    }
    return code
  })
}

async function exportTrail(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { org: { type: 'string' }, case: { type: 'string' } } })
  await withDatabase(async (db) => {
    const org = await requireOrg(db, values.org)
    await withOrg(db, org.id, async (tx) => {
      let caseId: string | null = null
      if (values.case) {
        const [row] = await tx`select id from cases where 'ESC-' || number = ${values.case.toUpperCase()}`
        if (!row) throw new UsageError(`no case ${values.case} in ${org.slug}`)
        caseId = row.id as string
      }
      for await (const chunk of exportAudit(tx, caseId)) process.stdout.write(chunk)
    })
  })
}
