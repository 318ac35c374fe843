import { createReadStream } from 'node:fs'
import { access } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { UsageError, requireOrg, withDatabase, type Command } from '../cli/command.ts'
import { withOrg } from '../db.ts'
import { importAccounts } from './accounts.ts'
import { importCases } from './cases.ts'
import { exportCases } from './export.ts'

const cliActor = { kind: 'system' as const, id: 'cli' }

async function requireFile(path: string | undefined): Promise<string> {
  if (!path) throw new UsageError('give the CSV file to import: desk import cases.csv --org SLUG')
  try {
    await access(path)
  } catch {
    throw new UsageError(`${path}: no such file`)
  }
  return path
}

export const importCommand: Command = {
  name: 'import',
  usage:
    'import <file.csv> --org SLUG [--dry-run] [--accounts] [--allow-partial] [--no-drafts] [--alerts]   import cases (or accounts) from CSV',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        org: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        accounts: { type: 'boolean', default: false },
        'allow-partial': { type: 'boolean', default: false },
        // Imported cases get a reply draft each, as mail does; a backfill of old cases may not want them.
        'no-drafts': { type: 'boolean', default: false },
        // Open SEV-1 rows alert only when asked: a bulk load is not news.
        alerts: { type: 'boolean', default: false },
      },
    })
    const path = await requireFile(positionals[0])
    const source = () => createReadStream(path)
    return withDatabase(async (db) => {
      const org = await requireOrg(db, values.org)
      if (values.accounts) {
        const report = await importAccounts(db, org, source, { dryRun: values['dry-run'], actor: cliActor })
        for (const e of report.errors.slice(0, 50)) console.error(`line ${e.line}: ${e.errors.join('; ')}`)
        if (!report.ok) throw new UsageError(report.reason ?? 'import refused')
        console.log(`${values['dry-run'] ? 'would import' : 'imported'} ${report.upserted} accounts; ${report.linkedCases} cases linked`)
        return
      }
      const report = await importCases(db, org, source, {
        dryRun: values['dry-run'],
        allowPartial: values['allow-partial'],
        drafts: !values['no-drafts'],
        alerts: values.alerts,
        actor: cliActor,
        onProgress: (stage, done, total) =>
          process.stderr.write(
            `\r${stage === 'validate' || values['dry-run'] ? 'checked' : 'imported'} ${done}${total ? ` of ${total}` : ''} rows`,
          ),
      })
      process.stderr.write('\n')
      for (const e of report.errors.slice(0, 50)) console.error(`line ${e.line}: ${e.errors.join('; ')}`)
      if (report.errorCount > 50) console.error(`… and ${report.errorCount - 50} more rows with problems`)
      if (!report.ok) throw new UsageError(report.reason ?? 'import refused')
      if (report.unknownColumns.length) console.error(`kept as case fields: ${report.unknownColumns.join(', ')}`)
      if (values['dry-run']) {
        for (const p of report.preview)
          console.log(
            `line ${p.line}: ${p.row.severity ?? 'SEV-3'} ${p.row.subject} — ${p.row.customerName ?? ''} <${p.row.customerEmail ?? ''}>`,
          )
      }
      const numbers = report.numbers && !values['dry-run'] ? ` (ESC-${report.numbers.first}…ESC-${report.numbers.last})` : ''
      console.log(
        `${values['dry-run'] ? 'dry run: would create' : 'created'} ${report.created} cases${numbers}, ${report.duplicates} already present, ${report.errorCount} rows skipped`,
      )
    })
  },
}

export const exportCommand: Command = {
  name: 'export',
  usage: 'export --org SLUG   the escalation log as CSV on standard output',
  async run(args) {
    const { values } = parseArgs({ args, options: { org: { type: 'string' } } })
    await withDatabase(async (db) => {
      const org = await requireOrg(db, values.org)
      await withOrg(db, org.id, async (tx) => {
        for await (const chunk of exportCases(tx)) {
          if (!process.stdout.write(chunk)) await new Promise((done) => process.stdout.once('drain', done))
        }
      })
    })
  },
}
