// One spreadsheet row → one validated value. A bad row is a value listing its cell problems
// (cross-cell rules such as "email or name" are checked once the cells themselves are valid),
// so an import reports every bad line in one pass instead of stopping at the first.
import { z } from 'zod'
import type { AccountField, CaseField } from './csv-columns.ts'
import {
  type DateOrder,
  type HealthBand,
  type Parsed,
  parseDate,
  parseDomain,
  parseEmail,
  parseHealth,
  parseMoney,
  parseSeverity,
  parseSource,
  parseStatus,
} from './csv-values.ts'
import { restoreCell } from './csv-safety.ts'
import { singleLine } from '../outbound/headers.ts'
import { isSeverity, isSource, isStatus, type CaseStatus, type Severity, type Source } from '../cases/terms.ts'
import { isValidTimeZone } from '../sla/zoned-time.ts'

export type CaseRow = {
  customerName: string | null
  customerEmail: string | null
  subject: string
  summary: string
  source: Source
  /** null when the sheet leaves it blank: intake classification decides. */
  severity: Severity | null
  externalRef: string | null
  receivedAt: Date | null
  account: string | null
  /** The owner cell as written (an address or a name): the import resolves it to a team member. */
  owner: string | null
  status: CaseStatus | null
}

/** What the person chose a word to mean (the preview's value mapping); undefined when they did not. */
export type ChosenValue = (field: 'source' | 'severity' | 'status', cell: string) => string | undefined

export type CaseRowOptions = { timezone: string; dateOrder?: DateOrder; chosen?: ChosenValue }

export type AccountRow = {
  domain: string
  name: string | null
  plan: string | null
  annualRevenue: number | null
  health: HealthBand | null
  healthScore: number | null
}

export type RowResult<T> = { ok: true; row: T } | { ok: false; line: number; errors: string[] }

const SUBJECT_FROM_SUMMARY_CHARS = 120

/** Undo export neutralisation, then trim; cells longer than `max` are refused, not cut. */
function text(max: number) {
  return z
    .string()
    .default('')
    .transform((value) => restoreCell(value).trim())
    .refine((value) => value.length <= max, `longer than ${max} characters`)
}

/** Lifts a Parsed<T> normaliser into a zod field that reports its message. */
function cell<T>(parse: (value: string) => Parsed<T>) {
  return text(10_000).transform((value, ctx): T => {
    const result = parse(value)
    if (result.ok) return result.value
    ctx.addIssue(result.message)
    return z.NEVER
  })
}

/** A word's chosen meaning when the person mapped it and it is one of the field's values, else the parser's reading. */
function mapped<T>(
  field: 'source' | 'severity' | 'status',
  chosen: ChosenValue | undefined,
  valid: (v: unknown) => v is T,
  parse: (cell: string) => Parsed<T | null>,
) {
  return (cell: string): Parsed<T | null> => {
    const choice = cell === '' ? undefined : chosen?.(field, cell)
    return choice !== undefined && valid(choice) ? { ok: true, value: choice } : parse(cell)
  }
}

/** Case rows; dates without an offset are read in `timezone` (the org's), numeric ones in `dateOrder`. */
export function makeCaseRowSchema(options: CaseRowOptions) {
  return z
    .object({
      customerName: text(200),
      customerEmail: cell(parseEmail),
      subject: text(500),
      summary: text(50_000),
      source: cell(mapped('source', options.chosen, isSource, parseSource)),
      severity: cell(mapped('severity', options.chosen, isSeverity, parseSeverity)),
      externalRef: text(200),
      receivedAt: cell((value) => parseDate(value, options.timezone, Date.now(), options.dateOrder ?? 'mdy')),
      account: text(200),
      owner: text(200),
      status: cell(mapped('status', options.chosen, isStatus, parseStatus)),
    })
    .transform((row, ctx): CaseRow => {
      const customerName = row.customerName || row.customerEmail?.displayName || null
      if (!row.customerEmail && !customerName) ctx.addIssue('needs a customer email or name')
      if (!row.subject && !row.summary) ctx.addIssue('needs a subject or a summary')
      return {
        customerName,
        customerEmail: row.customerEmail?.email ?? null,
        // One line, as in the portal form: it heads the mail the desk sends about the case.
        subject: singleLine(row.subject) || singleLine(subjectFromSummary(row.summary)),
        summary: row.summary,
        source: row.source ?? 'csv',
        severity: row.severity,
        externalRef: row.externalRef || null,
        receivedAt: row.receivedAt,
        account: row.account || null,
        owner: row.owner || null,
        status: row.status,
      }
    })
}

function subjectFromSummary(summary: string): string {
  const firstLine = summary.split(/\r?\n/, 1)[0]!.trim()
  return firstLine.length <= SUBJECT_FROM_SUMMARY_CHARS ? firstLine : `${firstLine.slice(0, SUBJECT_FROM_SUMMARY_CHARS - 1).trimEnd()}…`
}

export const caseRowSchema = makeCaseRowSchema({ timezone: 'UTC' })

const schemasByZone = new Map<string, ReturnType<typeof makeCaseRowSchema>>([['UTC', caseRowSchema]])

export function parseCaseRow(record: Record<CaseField, string>, line: number, options: Partial<CaseRowOptions> = {}): RowResult<CaseRow> {
  return toResult(caseRowSchemaFor({ timezone: options.timezone ?? 'UTC', ...options }).safeParse(record), line)
}

/** A schema per import (its time zone and chosen values), the plain ones cached by time zone. */
export function caseRowSchemaFor(options: CaseRowOptions): ReturnType<typeof makeCaseRowSchema> {
  if (!isValidTimeZone(options.timezone)) throw new RangeError(`unknown time zone ${options.timezone}`)
  if (options.chosen || options.dateOrder === 'dmy') return makeCaseRowSchema(options)
  let schema = schemasByZone.get(options.timezone)
  if (!schema) {
    schema = makeCaseRowSchema({ timezone: options.timezone })
    schemasByZone.set(options.timezone, schema)
  }
  return schema
}

/** Validates one mapped record with a schema from caseRowSchemaFor. */
export function parseCaseRowWith(
  schema: ReturnType<typeof makeCaseRowSchema>,
  record: Record<CaseField, string>,
  line: number,
): RowResult<CaseRow> {
  return toResult(schema.safeParse(record), line)
}

export const accountRowSchema = z
  .object({
    domain: cell((value) => (value === '' ? { ok: false, message: 'is required' } : parseDomain(value))),
    name: text(200),
    plan: text(100),
    annualRevenue: cell(parseMoney),
    health: cell(parseHealth),
  })
  .transform((row): AccountRow => ({
    domain: row.domain,
    name: row.name || null,
    plan: row.plan || null,
    annualRevenue: row.annualRevenue,
    health: row.health?.band ?? null,
    healthScore: row.health?.score ?? null,
  }))

export function parseAccountRow(record: Record<AccountField, string>, line: number): RowResult<AccountRow> {
  return toResult(accountRowSchema.safeParse(record), line)
}

function toResult<T>(result: z.ZodSafeParseResult<T>, line: number): RowResult<T> {
  if (result.success) return { ok: true, row: result.data }
  const errors = result.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
  return { ok: false, line, errors }
}
