import { createHash, randomBytes } from 'node:crypto'
import type { Actor } from '../audit/audit.ts'
import { withOrg, type Db, type Tx } from '../db.ts'
import type { Org } from '../orgs/queries.ts'
import { computeClockColumns } from '../sla/clocks.ts'
import { loadSlaSettings } from '../sla/settings.ts'
import { caseFields, mapHeaders, recordToFields } from './csv-columns.ts'
import { readCsv } from './csv-reader.ts'
import { parseCaseRow, type CaseRow } from './csv-rows.ts'

export type CsvSource = () => AsyncIterable<Buffer | Uint8Array | string>
export type RowError = { line: number; errors: string[] }

export type ImportReport = {
  ok: boolean
  dryRun: boolean
  rows: number
  valid: number
  created: number
  duplicates: number
  errors: RowError[] // the first 200; errorCount has them all
  errorCount: number
  unknownColumns: string[]
  preview: { line: number; row: CaseRow }[]
  reason?: string
}

export type ImportOptions = {
  dryRun?: boolean
  /** Import the valid rows even when others are malformed (the default refuses the whole file). */
  allowPartial?: boolean
  actor: Actor
  onProgress?: (stage: 'validate' | 'import', done: number, total: number | null) => void
}

const BATCH = 500
const MAX_ERRORS = 200

/** Stable fingerprint of a row's content: re-importing the same file finds every row again. */
const importKey = (row: CaseRow) =>
  createHash('sha256')
    .update(JSON.stringify([row.customerEmail, row.customerName, row.subject, row.summary, row.source, row.externalRef, row.receivedAt?.toISOString() ?? null]))
    .digest('hex')

async function* validRows(source: CsvSource, timezone: string, report: ImportReport, progress?: ImportOptions['onProgress']) {
  let columns: ReturnType<typeof mapHeaders> | null = null
  for await (const { line, record } of readCsv(source())) {
    if (!columns) {
      columns = mapHeaders(record)
      if (!columns.ok) throw new ImportRefused(columns.reason)
      report.unknownColumns = columns.unknown
      continue
    }
    if (!columns.ok) continue
    report.rows++
    const parsed = parseCaseRow(recordToFields(record, columns.columns, caseFields), line, { timezone })
    if (!parsed.ok) {
      report.errorCount++
      if (report.errors.length < MAX_ERRORS) report.errors.push({ line: parsed.line, errors: parsed.errors })
    } else {
      report.valid++
      if (report.preview.length < 10) report.preview.push({ line, row: parsed.row })
      yield { line, row: parsed.row }
    }
    if (report.rows % 5000 === 0) progress?.('validate', report.rows, null)
  }
  if (!columns) throw new ImportRefused('the file is empty (expected a header row and at least one case)')
}

class ImportRefused extends Error {}

/**
 * Two passes over the file so 50,000 rows never sit in memory: the first validates every row
 * (so a malformed file is refused whole, with line numbers), the second inserts in batches
 * inside one transaction, so an import lands completely or not at all.
 */
export async function importCases(db: Db, org: Org, source: CsvSource, options: ImportOptions): Promise<ImportReport> {
  const report: ImportReport = {
    ok: false, dryRun: Boolean(options.dryRun), rows: 0, valid: 0, created: 0, duplicates: 0,
    errors: [], errorCount: 0, unknownColumns: [], preview: [],
  }
  try {
    for await (const _ of validRows(source, org.timezone, report, options.onProgress)) { /* count only */ }
  } catch (error) {
    if (error instanceof ImportRefused || (error as Error).name === 'CsvReadError') {
      return { ...report, reason: (error as Error).message }
    }
    throw error
  }
  if (report.errorCount > 0 && !options.allowPartial) {
    return { ...report, reason: `${report.errorCount} row${report.errorCount === 1 ? ' has' : 's have'} problems; nothing was imported` }
  }

  const rollback = new Error('dry run')
  try {
    await withOrg(db, org.id, async (tx) => {
      const replay = { ...report, rows: 0, valid: 0, errors: [], errorCount: 0, preview: [] } satisfies ImportReport
      let batch: { line: number; row: CaseRow }[] = []
      const seen = new Set<string>()
      for await (const item of validRows(source, org.timezone, replay)) {
        batch.push(item)
        if (batch.length === BATCH) {
          await insertBatch(tx, org, batch, seen, report, options.actor)
          options.onProgress?.('import', report.created + report.duplicates, report.valid)
          batch = []
        }
      }
      if (batch.length) await insertBatch(tx, org, batch, seen, report, options.actor)
      options.onProgress?.('import', report.created + report.duplicates, report.valid)
      if (options.dryRun) throw rollback
    })
  } catch (error) {
    if (error !== rollback) throw error
  }
  return { ...report, ok: true }
}

async function insertBatch(tx: Tx, org: Org, batch: { line: number; row: CaseRow }[], seen: Set<string>, report: ImportReport, actor: Actor) {
  const keyed = batch.map((item) => ({ ...item, key: importKey(item.row) }))
  const refs = keyed.flatMap((k) => (k.row.externalRef ? [k.row.externalRef] : []))
  const existing = await tx<{ importKey: string | null; externalRef: string | null }[]>`
    select import_key as "importKey", external_ref as "externalRef" from cases
    where import_key = any(${keyed.map((k) => k.key)}) or external_ref = any(${refs})`
  const taken = new Set(existing.flatMap((e) => [e.importKey, e.externalRef]).filter(Boolean))
  const fresh = keyed.filter((k) => {
    const dup = taken.has(k.key) || (k.row.externalRef !== null && (taken.has(k.row.externalRef) || seen.has(`ref:${k.row.externalRef}`))) || seen.has(k.key)
    seen.add(k.key)
    if (k.row.externalRef) seen.add(`ref:${k.row.externalRef}`)
    return !dup
  })
  report.duplicates += keyed.length - fresh.length
  if (!fresh.length) return

  const settings = await loadSlaSettings(tx, org.id)
  const owners = new Map((await tx<{ id: string; email: string }[]>`select id, email from app_users where disabled_at is null`).map((u) => [u.email, u.id]))
  const [block] = await tx<{ first: number }[]>`
    update orgs set next_case_number = next_case_number + ${fresh.length} returning next_case_number - ${fresh.length} as first`
  const first = block!.first

  const rows = fresh.map(({ row, key }, i) => {
    const openedAt = row.receivedAt ?? new Date()
    const severity = row.severity ?? 'SEV-3'
    const ownerId = row.owner ? (owners.get(row.owner.toLowerCase()) ?? null) : null
    const status = row.status ?? (ownerId ? 'triaged' : 'new')
    const clocks = computeClockColumns(
      { openedAt, severity, status, firstResponseAt: null, lastOutboundAt: null, resolutionPausedAt: null, resolutionPausedSeconds: 0 },
      settings,
    )
    return {
      org_id: org.id, number: first + i, source: row.source, customer_email: row.customerEmail, customer_name: row.customerName,
      customer_account: row.account, subject: row.subject, summary: row.summary, severity,
      severity_reasons: [row.severity ? 'set in the imported CSV' : 'not given in the CSV; default SEV-3'],
      external_ref: row.externalRef, owner_id: ownerId, owner_assigned_at: ownerId ? openedAt : null, status,
      reply_token: randomBytes(16).toString('base64url'), opened_at: openedAt, import_key: key,
      first_response_due_at: clocks.firstResponseDueAt, first_response_at_risk_at: clocks.firstResponseAtRiskAt,
      resolution_due_at: clocks.resolutionDueAt, resolution_at_risk_at: clocks.resolutionAtRiskAt,
      next_deadline_at: clocks.nextDeadlineAt, next_at_risk_at: clocks.nextAtRiskAt,
    }
  })
  const inserted = await tx<{ id: string; number: number }[]>`insert into cases ${tx(rows)} returning id, number`
  await tx`
    update cases c set account_id = a.id from accounts a
    where c.id = any(${inserted.map((r) => r.id)}) and c.account_id is null
      and (a.domain = lower(c.customer_account) or a.domain = split_part(c.customer_email, '@', 2))`
  // One statement for the batch's audit events; the chain trigger still links them row by row.
  const events = inserted.map((c, i) => ({
    org_id: org.id, case_id: c.id, actor_kind: actor.kind, actor_id: actor.id, action: 'case.create',
    details: tx.json({ via: 'csv', line: fresh[i]!.line }), prev_hash: '', hash: '',
  }))
  await tx`insert into audit_events ${tx(events as never)}`
  report.created += inserted.length
}
