// Which CSV column is which field. Spreadsheets exported from BBB portals, CRMs and by hand
// name the same thing many ways, so headers are compared after dropping case, spaces and
// punctuation ("Customer E-mail" = "customer_email" = "customerEmail").

export type CaseField =
  | 'customerName'
  | 'customerEmail'
  | 'subject'
  | 'summary'
  | 'source'
  | 'severity'
  | 'externalRef'
  | 'receivedAt'
  | 'account'
  | 'owner'
  | 'status'

export type AccountField = 'domain' | 'name' | 'plan' | 'annualRevenue' | 'health'

export const caseHeaderAliases: Record<CaseField, string[]> = {
  customerName: ['customer_name', 'customer', 'name', 'client', 'client name', 'full name', 'contact', 'contact name', 'complainant', 'consumer', 'consumer name'],
  customerEmail: ['customer_email', 'email', 'e-mail', 'email address', 'client email', 'contact email', 'consumer email', 'mail'],
  subject: ['subject', 'title', 'topic', 'issue', 'headline'],
  summary: ['summary', 'description', 'details', 'body', 'complaint', 'complaint text', 'message', 'notes'],
  source: ['source', 'channel', 'origin'],
  severity: ['severity', 'sev', 'priority', 'urgency'],
  externalRef: ['external_ref', 'external reference', 'reference', 'ref', 'complaint number', 'complaint id', 'case id', 'case number', 'bbb id', 'bbb complaint id', 'matter reference', 'ticket id', 'ticket number'],
  receivedAt: ['received_at', 'received', 'date', 'date received', 'created', 'created_at', 'opened', 'opened_at', 'submitted', 'submitted at'],
  account: ['account', 'account name', 'account domain', 'company', 'organisation', 'organization'],
  owner: ['owner', 'owner email', 'assignee', 'assigned to', 'agent'],
  status: ['status', 'state'],
}

export const accountHeaderAliases: Record<AccountField, string[]> = {
  domain: ['domain', 'email domain', 'account domain', 'website', 'url', 'web'],
  name: ['name', 'account', 'account name', 'company', 'company name', 'organisation', 'organization', 'customer'],
  plan: ['plan', 'tier', 'subscription', 'package', 'edition'],
  annualRevenue: ['annual_revenue', 'annual revenue', 'revenue', 'arr', 'acv', 'annual contract value'],
  health: ['health', 'health score', 'account health', 'health status'],
}

export type HeaderMapping<F extends string> =
  | { ok: true; columns: (F | null)[]; unknown: string[] }
  | { ok: false; reason: string }

/** Requirement groups: each group needs at least one of its fields present. */
type Requirements<F extends string> = { fields: F[]; label: string }[]

export function normaliseHeader(header: string): string {
  return header.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '')
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

export function mapHeaders(headers: string[]): HeaderMapping<CaseField> {
  return mapWith(headers, caseHeaderAliases, caseLookup, [
    { fields: ['customerEmail', 'customerName'], label: 'the customer (email or name)' },
    { fields: ['subject', 'summary'], label: 'what it is about (subject or summary)' },
  ])
}

export function mapAccountHeaders(headers: string[]): HeaderMapping<AccountField> {
  return mapWith(headers, accountHeaderAliases, accountLookup, [
    { fields: ['domain'], label: 'the account domain' },
  ])
}

/** Turns a record into field → cell using a mapping; absent fields read as ''. */
export function recordToFields<F extends string>(
  record: string[],
  columns: (F | null)[],
  fields: readonly F[],
): Record<F, string> {
  const out = Object.fromEntries(fields.map((field) => [field, ''])) as Record<F, string>
  columns.forEach((field, i) => {
    if (field !== null) out[field] = record[i] ?? ''
  })
  return out
}

export const caseFields = Object.keys(caseHeaderAliases) as CaseField[]
export const accountFields = Object.keys(accountHeaderAliases) as AccountField[]
