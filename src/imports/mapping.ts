import { z } from 'zod'
import { isSeverity, isSource, isStatus, sourceLabel, severities, sources, statuses, statusLabel } from '../cases/terms.ts'
import type { DbOrTx, Tx } from '../db.ts'
import { findOrgSettings, mergeOrgSettings } from '../orgs/queries.ts'
import { caseFields, guessCaseColumns, normaliseHeader, type CaseField, type ColumnUse } from './csv-columns.ts'
import { guessSeverity, guessSource, guessStatus, valueKey, type DateOrder } from './csv-values.ts'

// How a team's spreadsheet reads: what each column is, what its words mean (a "Lawyer letter"
// source, a "P1" priority, an owner called "Dana"), which way round its dates are. Guessed
// first, chosen by the person in the preview, and remembered per org for the next file.

/** The fields whose cells are words from a closed set (or a person), mapped value by value. */
export const valueFields = ['source', 'severity', 'status', 'owner'] as const satisfies readonly CaseField[]
export type ValueField = (typeof valueFields)[number]
export const isValueField = (field: string): field is ValueField => (valueFields as readonly string[]).includes(field)

export type ImportMapping = {
  /** By column index. */
  columns: ColumnUse[]
  /** By field, the cell's valueKey → what it means; for owner a user id, or '' for nobody. */
  values: Partial<Record<ValueField, Record<string, string>>>
  dateOrder: DateOrder
}

/** A team member an owner cell can name. */
export type TeamMember = { id: string; email: string; name: string }

// ---- remembered per org (orgs.settings.import_mapping) ----

const columnUse = z.string().refine((u) => u === 'keep' || u === 'ignore' || (caseFields as string[]).includes(u))
const rememberedSchema = z
  .object({
    columns: z.record(z.string(), columnUse).catch({}).default({}),
    values: z.partialRecord(z.enum(valueFields), z.record(z.string(), z.string())).catch({}).default({}),
    dateOrder: z.enum(['mdy', 'dmy']).optional().catch(undefined),
  })
  .catch({ columns: {}, values: {} })

export type RememberedMapping = { columns: Record<string, ColumnUse>; values: ImportMapping['values']; dateOrder?: DateOrder }

export async function loadRememberedMapping(db: DbOrTx, orgId: string): Promise<RememberedMapping> {
  const settings = await findOrgSettings(db, orgId)
  return rememberedSchema.parse(settings.import_mapping ?? {}) as RememberedMapping
}

/** Adds what this import chose to what the org remembers (a later file may have other columns). */
export async function rememberMapping(tx: Tx, orgId: string, headers: string[], mapping: ImportMapping): Promise<void> {
  const before = await loadRememberedMapping(tx, orgId)
  const columns = { ...before.columns }
  headers.forEach((header, i) => {
    if (header.trim()) columns[normaliseHeader(header)] = mapping.columns[i] ?? 'keep'
  })
  const values: ImportMapping['values'] = { ...before.values }
  for (const field of valueFields) {
    if (mapping.values[field]) values[field] = { ...before.values[field], ...mapping.values[field] }
  }
  await mergeOrgSettings(tx, orgId, { import_mapping: { columns, values, dateOrder: mapping.dateOrder } })
}

// ---- guesses ----

/** The first reading of a file: remembered choices, then what the names and words mean. */
export function guessMapping(headers: string[], remembered: RememberedMapping, dateOrder: DateOrder | null): ImportMapping {
  return {
    columns: guessCaseColumns(headers, remembered.columns),
    values: { ...remembered.values },
    dateOrder: dateOrder ?? remembered.dateOrder ?? 'mdy',
  }
}

/**
 * Who an owner cell names: an address or a name ("Dana Ruiz", "dana", "D. Ruiz" does not count)
 * of exactly one active team member; null when none or several fit.
 */
export function guessOwner(cell: string, team: TeamMember[]): string | null {
  const key = valueKey(cell)
  if (!key) return null
  const byEmail = team.find((m) => m.email === key.replace(/^.*<|>$/g, ''))
  if (byEmail) return byEmail.id
  const byName = team.filter((m) => {
    const name = valueKey(m.name)
    return name !== '' && (name === key || name.split(' ')[0] === key || m.email.split('@')[0] === key)
  })
  return byName.length === 1 ? byName[0]!.id : null
}

/** What a value means by the words alone (no choice made yet); null for a word we do not know. */
export function guessValue(field: ValueField, cell: string, team: TeamMember[]): string | null {
  switch (field) {
    case 'source':
      return guessSource(cell)
    case 'severity':
      return guessSeverity(cell)
    case 'status':
      return guessStatus(cell)
    case 'owner':
      return guessOwner(cell, team)
  }
}

/** The chosen meaning of a value, else the guess. For owner, '' is "nobody". */
export function resolveValue(mapping: ImportMapping, field: ValueField, cell: string, team: TeamMember[]): string | null {
  const chosen = mapping.values[field]?.[valueKey(cell)]
  if (chosen !== undefined) return chosen
  return guessValue(field, cell, team)
}

/** The options a value of this field can be mapped to, for the preview's selects. */
export function valueOptions(field: ValueField, team: TeamMember[]): { value: string; label: string }[] {
  switch (field) {
    case 'source':
      return sources.map((s) => ({ value: s, label: sourceLabel(s) }))
    case 'severity':
      return severities.map((s) => ({ value: s, label: s }))
    case 'status':
      return statuses.map((s) => ({ value: s, label: statusLabel(s) }))
    case 'owner':
      return [
        { value: '', label: 'Nobody (unowned)' },
        ...team.map((m) => ({ value: m.id, label: m.name ? `${m.name} <${m.email}>` : m.email })),
      ]
  }
}

/** True when `value` is something this field's cells may be mapped to. */
export function isValidChoice(field: ValueField, value: string, team: TeamMember[]): boolean {
  switch (field) {
    case 'source':
      return isSource(value)
    case 'severity':
      return isSeverity(value)
    case 'status':
      return isStatus(value)
    case 'owner':
      return value === '' || team.some((m) => m.id === value)
  }
}

// ---- the preview's form ----

export type ScannedColumn = {
  header: string
  /** The first few non-empty cells, shortened: what the person sees to decide. */
  samples: string[]
  /** Distinct cells (by valueKey) with how often each occurs; the first `distinctLimit`. */
  distinct: { value: string; count: number }[]
  distinctMore: number
  /** Numeric dates that can only be day-first / month-first. */
  dayFirst: number
  monthFirst: number
}

const chosenIn = (form: Record<string, unknown>, name: string) => (typeof form[name] === 'string' ? (form[name] as string) : undefined)

/**
 * The mapping the person chose in the preview: `col_<i>` for each column's use, `val_<i>_<k>` for
 * the k-th distinct value of column i, `dateOrder`. Anything not offered is ignored, so a forged
 * form can only choose among the same options the page shows.
 */
export function mappingFromForm(
  form: Record<string, unknown>,
  scan: ScannedColumn[],
  previous: ImportMapping,
  team: TeamMember[],
): ImportMapping {
  const columns = scan.map((_, i): ColumnUse => {
    const use = chosenIn(form, `col_${i}`)
    return use !== undefined && (use === 'keep' || use === 'ignore' || (caseFields as string[]).includes(use))
      ? (use as ColumnUse)
      : (previous.columns[i] ?? 'keep')
  })
  const values: ImportMapping['values'] = structuredClone(previous.values)
  scan.forEach((column, i) => {
    const field = columns[i]!
    if (!isValueField(field)) return
    column.distinct.forEach((d, k) => {
      const choice = chosenIn(form, `val_${i}_${k}`)
      if (choice === undefined || choice === '?') return
      if (!isValidChoice(field, choice, team)) return
      // Only what differs from the reading already in force is a choice: accepting a guess keeps it a guess.
      if (choice === resolveValue({ columns, values, dateOrder: previous.dateOrder }, field, d.value, team)) return
      values[field] = { ...values[field], [valueKey(d.value)]: choice }
    })
  })
  const dateOrder = chosenIn(form, 'dateOrder') === 'dmy' ? 'dmy' : chosenIn(form, 'dateOrder') === 'mdy' ? 'mdy' : previous.dateOrder
  return { columns, values, dateOrder }
}
