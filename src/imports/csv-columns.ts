// Which CSV column is which field. Spreadsheets exported from BBB portals, CRMs and by hand
// name the same thing many ways, so headers are compared after dropping case, spaces and
// punctuation ("Customer E-mail" = "customer_email" = "customerEmail").

import { accountHeaderAliases, caseHeaderAliases, type AccountField, type CaseField } from './csv-header-words.ts'

export { accountHeaderAliases, caseHeaderAliases, type AccountField, type CaseField } from './csv-header-words.ts'

export type HeaderMapping<F extends string> = { ok: true; columns: (F | null)[]; unknown: string[] } | { ok: false; reason: string }

/** Requirement groups: each group needs at least one of its fields present. */
type Requirements<F extends string> = { fields: F[]; label: string }[]

export function normaliseHeader(header: string): string {
  return header
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '')
}

function buildLookup<F extends string>(aliases: Record<F, string[]>): Map<string, F> {
  const lookup = new Map<string, F>()
  for (const [field, names] of Object.entries(aliases) as [F, string[]][]) {
    for (const name of [field, ...names]) lookup.set(normaliseHeader(name), field)
  }
  return lookup
}

function mapWith<F extends string>(
  headers: string[],
  aliases: Record<F, string[]>,
  lookup: Map<string, F>,
  requirements: Requirements<F>,
): HeaderMapping<F> {
  const columns: (F | null)[] = []
  const unknown: string[] = []
  const seen = new Map<F, string>()
  for (const header of headers) {
    const field = lookup.get(normaliseHeader(header)) ?? null
    if (field === null) {
      if (header.trim() !== '') unknown.push(header)
    } else if (seen.has(field)) {
      // Picking one silently could import the wrong column for every row.
      return { ok: false, reason: `columns "${seen.get(field)}" and "${header}" both mean ${field}; keep one` }
    } else {
      seen.set(field, header)
    }
    columns.push(field)
  }
  const missing = requirements.filter((group) => !group.fields.some((field) => seen.has(field)))
  if (missing.length > 0) {
    const reason = missing
      .map((group) => {
        const accepted = group.fields.flatMap((field) => [...new Set([field, ...aliases[field]])]).join(', ')
        return `missing a column for ${group.label} (accepted names: ${accepted})`
      })
      .join('; ')
    return { ok: false, reason }
  }
  return { ok: true, columns, unknown }
}

const caseLookup = buildLookup(caseHeaderAliases)
const accountLookup = buildLookup(accountHeaderAliases)

/**
 * What a column of a case sheet is used for: one of the case's fields, kept on the case as a
 * field of its own ("Ticket #" in a file that also has "Case ID", "Tags", "Region"…), or ignored.
 */
export type ColumnUse = CaseField | 'keep' | 'ignore'

/** The one field several columns may fill: their texts are joined, each after the first labelled. */
export const joinedFields: readonly CaseField[] = ['summary']

const caseRequirements: Requirements<CaseField> = [
  { fields: ['customerEmail', 'customerName'], label: 'the customer (email or name)' },
  { fields: ['subject', 'summary'], label: 'what it is about (subject or summary)' },
]

/**
 * A first reading of the header row: what the org chose for this header before (`remembered`,
 * by normalised header), else the field its name means, else kept as a case field. A field only
 * one column may fill goes to the first such column; the later ones are kept (and the preview
 * lets the person choose), never refusing the file.
 */
export function guessCaseColumns(headers: string[], remembered: Record<string, ColumnUse> = {}): ColumnUse[] {
  const taken = new Set<CaseField>()
  return headers.map((header): ColumnUse => {
    if (header.trim() === '') return 'ignore'
    const use = remembered[normaliseHeader(header)] ?? caseLookup.get(normaliseHeader(header)) ?? 'keep'
    if (use === 'keep' || use === 'ignore' || joinedFields.includes(use)) return use
    if (taken.has(use)) return 'keep'
    taken.add(use)
    return use
  })
}

/** What stops a mapping from importing: a needed field no column fills, a field two columns fill. */
export function caseColumnProblems(headers: string[], uses: ColumnUse[]): string[] {
  const problems: string[] = []
  const byField = new Map<CaseField, string[]>()
  uses.forEach((use, i) => {
    if (use !== 'keep' && use !== 'ignore') byField.set(use, [...(byField.get(use) ?? []), headers[i] ?? `column ${i + 1}`])
  })
  for (const [field, columns] of byField) {
    if (columns.length > 1 && !joinedFields.includes(field))
      problems.push(
        `columns ${columns.map((c) => `"${c}"`).join(' and ')} are both read as ${fieldLabels[field]}; keep one (the other can be kept as a case field)`,
      )
  }
  for (const group of caseRequirements) {
    if (!group.fields.some((f) => byField.has(f))) problems.push(`no column is read as ${group.label}; choose one below`)
  }
  return problems
}

export const fieldLabels: Record<CaseField, string> = {
  customerName: 'customer name',
  customerEmail: 'customer email',
  subject: 'subject',
  summary: 'summary (the message text)',
  source: 'source',
  severity: 'severity',
  externalRef: 'external reference',
  receivedAt: 'received at',
  account: 'company / account',
  owner: 'owner',
  status: 'status',
}

/**
 * The header row read without a person choosing: the guess, and any problem with it as the
 * reason (the CLI's `desk import` uses this; the portal shows the same guess as a choice).
 */
export function mapHeaders(headers: string[], remembered: Record<string, ColumnUse> = {}): HeaderMapping<CaseField> {
  const uses = guessCaseColumns(headers, remembered)
  const missing = caseRequirements.filter((group) => !group.fields.some((f) => uses.includes(f)))
  if (missing.length) {
    const reason = missing
      .map((group) => {
        const accepted = group.fields.flatMap((field) => [...new Set([field, ...caseHeaderAliases[field]])]).join(', ')
        return `missing a column for ${group.label} (accepted names: ${accepted})`
      })
      .join('; ')
    return { ok: false, reason }
  }
  return {
    ok: true,
    columns: uses.map((u) => (u === 'keep' || u === 'ignore' ? null : u)),
    unknown: headers.filter((h, i) => uses[i] === 'keep' && h.trim() !== ''),
  }
}

export type MappedRecord = { fields: Record<CaseField, string>; kept: { name: string; value: string }[] }

/**
 * One record through the mapping: each field's cell ('' when no column fills it), the joined
 * text of the summary columns, and the kept columns' non-empty cells in file order.
 */
export function mapCaseRecord(record: string[], headers: string[], uses: ColumnUse[]): MappedRecord {
  const fields = Object.fromEntries(caseFields.map((field) => [field, ''])) as Record<CaseField, string>
  const kept: MappedRecord['kept'] = []
  uses.forEach((use, i) => {
    const cell = record[i] ?? ''
    if (use === 'ignore') return
    if (use === 'keep') {
      if (cell.trim() !== '') kept.push({ name: headers[i]!.trim(), value: cell })
      return
    }
    if (joinedFields.includes(use) && fields[use] !== '' && cell.trim() !== '') {
      fields[use] = `${fields[use]}\n\n${headers[i]!.trim()}: ${cell}`
    } else if (!joinedFields.includes(use) || fields[use] === '') {
      fields[use] = cell
    }
  })
  return { fields, kept }
}

export function mapAccountHeaders(headers: string[]): HeaderMapping<AccountField> {
  return mapWith(headers, accountHeaderAliases, accountLookup, [{ fields: ['domain'], label: 'the account domain' }])
}

/** Turns a record into field → cell using a mapping; absent fields read as ''. */
export function recordToFields<F extends string>(record: string[], columns: (F | null)[], fields: readonly F[]): Record<F, string> {
  const out = Object.fromEntries(fields.map((field) => [field, ''])) as Record<F, string>
  columns.forEach((field, i) => {
    if (field !== null) out[field] = record[i] ?? ''
  })
  return out
}

export const caseFields = Object.keys(caseHeaderAliases) as CaseField[]
export const accountFields = Object.keys(accountHeaderAliases) as AccountField[]
