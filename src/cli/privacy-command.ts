import { writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { systemActor } from '../audit/audit.ts'
import { describeErasure, erasePersonFromCli } from '../privacy/erase.ts'
import { exportPerson } from '../privacy/export.ts'
import { requireOrg, UsageError, withDatabase, type Command } from './command.ts'

// `desk erase` and `desk export-person`: a person's erasure and access requests from the command
// line, the same rules as /admin/privacy (src/privacy). Whoever runs the CLI runs the desk: the
// audit trail records them as the desk's, via the CLI.

const cliActor = { ...systemActor, id: 'cli' }

function requireEmail(value: string | undefined): string {
  if (!value) throw new UsageError('--email ADDR is required')
  return value
}

export const eraseCommand: Command = {
  name: 'erase',
  usage: 'erase --org S --email ADDR [--dry-run]   erase a person: their mail, files, names and addresses (audit chain kept)',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { org: { type: 'string' }, email: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
    })
    const email = requireEmail(values.email)
    const dryRun = values['dry-run']
    return withDatabase(async (db) => {
      const org = await requireOrg(db, values.org)
      const outcome = await erasePersonFromCli(db, org.id, email, dryRun)
      if (!outcome.ok) throw new UsageError(`--email: ${outcome.problem}`)
      console.log(`${dryRun ? 'would erase' : 'erased'} ${outcome.email} in ${org.slug}:`)
      for (const line of describeErasure(outcome.counts)) console.log(`  ${line}`)
      if (dryRun) console.log('nothing was changed (--dry-run)')
    })
  },
}

export const exportPersonCommand: Command = {
  name: 'export-person',
  usage: 'export-person --org S --email ADDR --out FILE.zip   everything held about a person (access request): JSON and .eml',
  async run(args) {
    const { values } = parseArgs({ args, options: { org: { type: 'string' }, email: { type: 'string' }, out: { type: 'string' } } })
    const email = requireEmail(values.email)
    if (!values.out) throw new UsageError('--out FILE.zip is required')
    const out = values.out
    return withDatabase(async (db) => {
      const org = await requireOrg(db, values.org)
      const result = await exportPerson(db, org.id, cliActor, email)
      if ('problem' in result) throw new UsageError(`--email: ${result.problem}`)
      await writeFile(out, result.zip, { mode: 0o600 })
      console.log(`wrote ${out}: ${result.cases} case(s), ${result.messages} message(s), ${result.zip.length} bytes`)
    })
  },
}
