import { recordAudit, type Actor } from '../audit/audit.ts'
import { linkCasesToAccounts } from '../cases/queries.ts'
import { withOrg, type Db } from '../db.ts'
import type { Org } from '../orgs/queries.ts'
import { accountFields, mapAccountHeaders, recordToFields } from './csv-columns.ts'
import { readCsv } from './csv-reader.ts'
import { parseAccountRow, type AccountRow } from './csv-rows.ts'
import { upsertAccount } from './queries.ts'
import type { CsvSource, RowError } from './types.ts'

export type AccountImportReport = {
  ok: boolean
  dryRun: boolean
  rows: number
  upserted: number
  linkedCases: number
  errors: RowError[]
  reason?: string
}

/**
 * Accounts (domain, plan, revenue, health) give triage its context. Re-importing updates them in
 * place by domain; cases link to an account by their customer's email domain.
 */
export async function importAccounts(
  db: Db,
  org: Org,
  source: CsvSource,
  options: { dryRun?: boolean; actor: Actor },
): Promise<AccountImportReport> {
  const report: AccountImportReport = { ok: false, dryRun: Boolean(options.dryRun), rows: 0, upserted: 0, linkedCases: 0, errors: [] }
  const rows: AccountRow[] = [] // accounts are few (one per customer company), unlike cases
  let columns: ReturnType<typeof mapAccountHeaders> | null = null
  try {
    for await (const { line, record } of readCsv(source())) {
      if (!columns) {
        columns = mapAccountHeaders(record)
        if (!columns.ok) return { ...report, reason: columns.reason }
        continue
      }
      if (!columns.ok) continue
      report.rows++
      const parsed = parseAccountRow(recordToFields(record, columns.columns, accountFields), line)
      if (parsed.ok) rows.push(parsed.row)
      else report.errors.push({ line: parsed.line, errors: parsed.errors })
    }
  } catch (error) {
    if ((error as Error).name === 'CsvReadError') return { ...report, reason: (error as Error).message }
    throw error
  }
  if (report.errors.length) return { ...report, reason: `${report.errors.length} row(s) have problems; nothing was imported` }
  if (options.dryRun) return { ...report, ok: true, upserted: rows.length }

  await withOrg(db, org.id, async (tx) => {
    for (const row of rows) await upsertAccount(tx, org.id, row)
    const linkedCases = await linkCasesToAccounts(tx)
    report.upserted = rows.length
    report.linkedCases = linkedCases
    await recordAudit(tx, org.id, { actor: options.actor, action: 'account.import', details: { accounts: rows.length, linkedCases } })
  })
  return { ...report, ok: true }
}
