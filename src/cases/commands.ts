import { caseLabel } from './terms.ts'
import { parseArgs } from 'node:util'
import { UsageError, requireOrg, withDatabase, type Command } from '../cli/command.ts'
import { withOrg } from '../db.ts'
import { getCaseBundle } from './bundle.ts'
import { listIntakeExamples } from './corrections.ts'
import { exampleFormats, formatExamples, type ExampleFormat } from './examples.ts'

export const caseCommand: Command = {
  name: 'case',
  usage: 'case <ESC-n> --org SLUG --json   a case with its messages, drafts, approvals, outbox and audit events',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { org: { type: 'string' }, json: { type: 'boolean', default: false } },
    })
    const match = /^(?:ESC-)?(\d+)$/i.exec(positionals[0] ?? '')
    if (!match) throw new UsageError('give a case number like ESC-1042')
    await withDatabase(async (db) => {
      const org = await requireOrg(db, values.org)
      const bundle = await withOrg(db, org.id, (tx) => getCaseBundle(tx, Number(match[1])))
      if (!bundle) throw new UsageError(`no case ${caseLabel(Number(match[1]))} in ${org.slug}`)
      console.log(
        values.json
          ? JSON.stringify(bundle, null, 2)
          : `${bundle.case.label} [${bundle.case.severity}, ${bundle.case.status}] ${bundle.case.subject}`,
      )
    })
  },
}

export const intakeCommand: Command = {
  name: 'intake',
  usage: 'intake examples --org SLUG [--format jsonl|csv]   the corrections people made to intake, as labelled examples',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { org: { type: 'string' }, format: { type: 'string', default: 'jsonl' } },
    })
    if (positionals[0] !== 'examples') throw new UsageError('usage: desk intake examples --org SLUG [--format jsonl|csv]')
    const format = values.format as ExampleFormat
    if (!(exampleFormats as readonly string[]).includes(format)) throw new UsageError(`--format is jsonl or csv, not "${values.format}"`)
    await withDatabase(async (db) => {
      const org = await requireOrg(db, values.org)
      const examples = await withOrg(db, org.id, (tx) => listIntakeExamples(tx))
      process.stdout.write(formatExamples(examples, format))
    })
  },
}
