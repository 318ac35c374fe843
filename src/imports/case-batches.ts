import { createHash } from 'node:crypto'
import type { Actor } from '../audit/audit.ts'
import { createCases, type NewCase } from '../cases/create.ts'
import type { Tx } from '../db.ts'
import { skipNewSev1Alerts } from '../digest/alerts.ts'
import type { Org } from '../orgs/queries.ts'
import type { SlaSettings } from '../sla/settings.ts'
import type { Reading, ValidRow } from './case-reading.ts'
import type { CaseRow } from './csv-rows.ts'
import { resolveValue } from './mapping.ts'
import { findImportedCases, insertImportedMessages } from './queries.ts'
import type { ImportReport } from './types.ts'

// Writing a batch of valid rows: the ones the desk has already left out, the rest created as
// cases through createCases with their first message, their alerts skipped when asked.

export const noDraftImported = 'no draft: imported history'

/** Stable fingerprint of a row's content: re-importing the same file finds every row again. */
const importKey = (row: CaseRow) =>
  createHash('sha256')
    .update(
      JSON.stringify([
        row.customerEmail,
        row.customerName,
        row.subject,
        row.summary,
        row.source,
        row.externalRef,
        row.receivedAt?.toISOString() ?? null,
      ]),
    )
    .digest('hex')

export type BatchContext = {
  org: Org
  actor: Actor
  drafts: boolean
  alerts: boolean
  runId: string | null
  reading: Reading
  settings: SlaSettings
  /** Keys and references of the rows already taken in this file. */
  seen: Set<string>
}

/** A row already in the desk (the same row imported before, or its external reference), or earlier in this file. */
async function freshRows(tx: Tx, context: BatchContext, batch: ValidRow[]) {
  const keyed = batch.map((item) => ({ ...item, key: importKey(item.row) }))
  const refs = keyed.flatMap((k) => (k.row.externalRef ? [k.row.externalRef] : []))
  const existing = await findImportedCases(
    tx,
    keyed.map((k) => k.key),
    refs,
  )
  const taken = new Set(existing.flatMap((e) => [e.importKey, e.externalRef]).filter(Boolean))
  const { seen } = context
  return keyed.filter((k) => {
    const dup =
      taken.has(k.key) ||
      (k.row.externalRef !== null && (taken.has(k.row.externalRef) || seen.has(`ref:${k.row.externalRef}`))) ||
      seen.has(k.key)
    seen.add(k.key)
    if (k.row.externalRef) seen.add(`ref:${k.row.externalRef}`)
    return !dup
  })
}

function newCaseOf(context: BatchContext, item: ValidRow & { key: string }): NewCase {
  const { row } = item
  const { mapping, team } = context.reading
  const ownerId = row.owner ? resolveValue(mapping, 'owner', row.owner, team) || null : null
  return {
    source: row.source,
    customerEmail: row.customerEmail,
    customerName: row.customerName,
    customerAccount: row.account,
    subject: row.subject,
    summary: row.summary,
    severity: row.severity ?? 'SEV-3',
    severityReasons: [row.severity ? 'set in the imported spreadsheet' : 'not given in the spreadsheet; default SEV-3'],
    externalRef: row.externalRef,
    ownerId,
    // A tracker's "Open" is new to us; with an owner named, it has been triaged.
    status: row.status === 'new' && ownerId ? 'triaged' : (row.status ?? undefined),
    openedAt: row.receivedAt ?? new Date(),
    importKey: item.key,
    importRunId: context.runId,
    importFields: item.kept,
    audit: {
      actor: context.actor,
      details: {
        via: 'csv',
        line: item.line,
        ...(context.runId ? { importRun: context.runId } : {}),
        ...(context.drafts ? {} : { draft: noDraftImported }),
      },
    },
    noDraft: context.drafts ? undefined : noDraftImported,
  }
}

export async function insertBatch(tx: Tx, context: BatchContext, batch: ValidRow[], report: ImportReport) {
  const fresh = await freshRows(tx, context, batch)
  report.duplicates += batch.length - fresh.length
  if (!fresh.length) return
  const created = await createCases(
    tx,
    context.org.id,
    fresh.map((item) => newCaseOf(context, item)),
    { settings: context.settings },
  )
  // The row's text is what the customer wrote: the thread starts with it, and the draft answers it.
  // Every case gets it: the import's cases have their search documents written from it (sql/00054).
  await insertImportedMessages(
    tx,
    context.org.id,
    created.map((c, i) => {
      const { row } = fresh[i]!
      return {
        caseId: c.id,
        fromEmail: row.customerEmail,
        fromName: row.customerName,
        subject: row.subject,
        text: row.summary || row.subject,
        at: row.receivedAt ?? new Date(),
      }
    }),
  )
  if (!context.alerts) {
    report.alertsSkipped += await skipNewSev1Alerts(
      tx,
      context.org.id,
      created.map((c) => c.id),
      'imported from a spreadsheet with alerts off',
    )
  }
  report.created += created.length
  report.drafted += created.filter((c) => c.draft.queued).length
  const numbers = created.map((c) => c.number)
  report.numbers = { first: Math.min(report.numbers?.first ?? Infinity, ...numbers), last: Math.max(report.numbers?.last ?? 0, ...numbers) }
}
