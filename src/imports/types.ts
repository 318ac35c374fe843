import type { Actor } from '../audit/audit.ts'
import type { Delimiter } from './csv-reader.ts'
import type { CaseRow } from './csv-rows.ts'
import type { ImportMapping, ScannedColumn, ValueField } from './mapping.ts'

// The shapes an import passes between its steps (reading, preview, run, storage), in one module
// that imports none of those steps.

export type ImportKind = 'cases' | 'accounts'

export type CsvSource = () => AsyncIterable<Buffer | Uint8Array | string>
export type RowError = { line: number; errors: string[] }

export type KeptField = { name: string; value: string }

export type ImportReport = {
  ok: boolean
  dryRun: boolean
  rows: number
  valid: number
  created: number
  /** Of the created cases, how many got a reply draft queued. */
  drafted: number
  duplicates: number
  errors: RowError[] // the first 200; errorCount has them all
  errorCount: number
  /** Headers of the columns kept as case fields. */
  unknownColumns: string[]
  preview: { line: number; row: CaseRow; kept: KeptField[] }[]
  /** The numbers the created cases got (consecutive within a batch), first and last. */
  numbers: { first: number; last: number } | null
  /** SEV-1 rows whose alert was not sent because the import had alerts off. */
  alertsSkipped: number
  reason?: string
}

export type ImportOptions = {
  dryRun?: boolean
  /** Import the valid rows even when others are malformed (the default refuses the whole file). */
  allowPartial?: boolean
  /** Queue a reply draft for each new open case (default); false marks them "no draft: imported history". */
  drafts?: boolean
  /** Alert about open SEV-1 rows as if they had just arrived (default off: a bulk load is not news). */
  alerts?: boolean
  /** What the columns and their words mean; absent, the org's remembered choices and the names. */
  mapping?: ImportMapping
  /** The portal's upload, so the run's cases can be listed afterwards. */
  runId?: string | null
  actor: Actor
  onProgress?: (stage: 'validate' | 'import', done: number, total: number | null) => void
}

/** The mapping step of a case sheet: what was found in the file, and what it is read as now. */
export type CasePreview = {
  delimiter: Delimiter
  scan: ScannedColumn[]
  chosen: ImportMapping
  /** Why this mapping cannot import (a needed field no column fills…); empty when it can. */
  problems: string[]
  /** For each column read as a value field, its distinct words and what each means now. */
  values: {
    column: number
    field: ValueField
    entries: { value: string; count: number; mapped: string | null; chosen: boolean }[]
    more: number
  }[]
  /** What a value of each field may be mapped to. */
  options: Record<ValueField, { value: string; label: string }[]>
  /** Numeric dates seen that can only be day-first / month-first, in the received-at column. */
  dates: { column: number | null; dayFirst: number; monthFirst: number }
  /** Of the rows that would be created: how many open ones get a draft, how many are open SEV-1. */
  wouldDraft: number
  openSev1: number
}

/** What a dry run found, stored with the upload so the page can be shown again without the file. */
export type PreviewData = {
  kind: ImportKind
  fileName: string
  mapping: { header: string; field: string | null }[]
  columns: string[]
  rows: { line: number; values: string[] }[]
  errors: RowError[]
  counts: { rows: number; create: number; present: number; errors: number }
  reason?: string
  cases?: CasePreview
}
