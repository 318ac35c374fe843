import { caseLabel } from './terms.ts'
import { parseArgs } from 'node:util'
import { UsageError, requireOrg, withDatabase, type Command } from '../cli/command.ts'
import { withOrg } from '../db.ts'
import { getCaseBundle } from './bundle.ts'

export const caseCommand: Command = {
  name: 'case',
  usage: 'case <ESC-n> --org SLUG --json   a case with its messages, drafts, approvals, outbox and audit events',
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { org: { type: 'string' }, json: { type: 'boolean', default: false } } })
    const match = /^(?:ESC-)?(\d+)$/i.exec(positionals[0] ?? '')
    if (!match) throw new UsageError('give a case number like ESC-1042')
    await withDatabase(async (db) => {
      const org = await requireOrg(db, values.org)
      const bundle = await withOrg(db, org.id, (tx) => getCaseBundle(tx, Number(match[1])))
      if (!bundle) throw new UsageError(`no case ${caseLabel(Number(match[1]))} in ${org.slug}`)
      console.log(values.json ? JSON.stringify(bundle, null, 2) : `${bundle.case.label} [${bundle.case.severity}, ${bundle.case.status}] ${bundle.case.subject}`)
    })
  },
}
