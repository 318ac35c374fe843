// Every case findable: the list of all of an org's cases (open, resolved, closed) with filters,
// page after page by key (never OFFSET: page 500 costs what page 1 does), and the search over
// the case number, subject, customer, reference and thread text (case_search, sql/00023). Both
// run inside withOrg, so row-level security keeps them to the signed-in user's org.
import type postgres from 'postgres'
import type { DbOrTx } from '../db.ts'
import { isSeverity, isSource, type Severity, type Source } from './terms.ts'

export type CaseListFilter = {
  /** open: not resolved or closed; or one status; all: everything. */
  status: 'open' | 'resolved' | 'closed' | 'all'
  source: Source | null
  severity: Severity | null
  ownerId: string | null
  /** Opened on or after / before this day (inclusive, the org's dates as given). */
  from: Date | null
  to: Date | null
  /** Only cases that missed a deadline (first response or resolution). */
  breached: boolean
}

export type CaseListRow = {
  id: string
  number: number
  subject: string
  customerName: string | null
  customerEmail: string | null
  source: Source
  severity: Severity
  status: string
  openedAt: Date
  ownerName: string | null
  breached: boolean
}

export type CasePage = { rows: CaseListRow[]; next: string | null }

export const PAGE_SIZE = 50
const STATUSES = ['open', 'resolved', 'closed', 'all'] as const

/** The filter a query string asks for; anything unknown is left out, never an error. */
export function readCaseFilter(query: Record<string, string | undefined>): CaseListFilter {
  const day = (v: string | undefined) =>
    v && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) ? new Date(`${v}T00:00:00Z`) : null
  const status = STATUSES.find((s) => s === query.status) ?? 'all'
  const owner = query.owner && /^[0-9a-f-]{36}$/i.test(query.owner) ? query.owner : null
  return {
    status,
    source: query.source && isSource(query.source) ? query.source : null,
    severity: query.severity && isSeverity(query.severity) ? query.severity : null,
    ownerId: owner,
    from: day(query.from),
    to: day(query.to),
    breached: query.breached === '1',
  }
}

// A case that missed a deadline: answered after its first-response deadline (or not answered and
// past it), resolved after its resolution deadline (or open and past it).
const breachedSql = (db: DbOrTx) => db`(
  (c.first_response_due_at is not null and coalesce(c.first_response_at, now()) > c.first_response_due_at)
  or (c.resolution_due_at is not null and coalesce(c.resolved_at, case when c.status in ('resolved', 'closed') then c.resolution_due_at end, now()) > c.resolution_due_at)
)`

/**
 * How the filter's values reach the statement: bound parameters, unless the statement is a COPY,
 * which takes none (the export passes them as transaction-local settings: src/imports/export.ts).
 */
export type FilterValue = (value: string | Date, type: 'text' | 'uuid' | 'timestamptz') => postgres.Fragment

/** The filter as a condition on `cases c`: the list and its CSV download select the same cases. */
export function caseFilterSql(db: DbOrTx, filter: CaseListFilter, value: FilterValue = (v) => db`${v}`) {
  return db`true
    ${filter.status === 'open' ? db`and c.status not in ('resolved', 'closed')` : filter.status === 'all' ? db`` : db`and c.status = ${value(filter.status, 'text')}`}
    ${filter.source ? db`and c.source = ${value(filter.source, 'text')}` : db``}
    ${filter.severity ? db`and c.severity = ${value(filter.severity, 'text')}` : db``}
    ${filter.ownerId ? db`and c.owner_id = ${value(filter.ownerId, 'uuid')}` : db``}
    ${filter.from ? db`and c.opened_at >= ${value(filter.from, 'timestamptz')}` : db``}
    ${filter.to ? db`and c.opened_at < ${value(filter.to, 'timestamptz')}::timestamptz + interval '1 day'` : db``}
    ${filter.breached ? db`and ${breachedSql(db)}` : db``}`
}

/** A page of cases, newest first, after the given cursor. */
export async function listCases(db: DbOrTx, filter: CaseListFilter, cursor: string | null, limit = PAGE_SIZE): Promise<CasePage> {
  const after = readCursor(cursor)
  const rows = await db<(CaseListRow & { key: string })[]>`
    select c.id, c.number, c.subject, c.customer_name as "customerName", c.customer_email as "customerEmail",
           c.source, c.severity, c.status, c.opened_at as "openedAt", u.name as "ownerName",
           ${breachedSql(db)} as breached,
           to_char(c.opened_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as key
    from cases c
    left join app_users u on u.id = c.owner_id
    where ${caseFilterSql(db, filter)}
      ${after ? db`and (c.opened_at, c.id) < (${after.openedAt}::timestamptz, ${after.id}::uuid)` : db``}
    order by c.opened_at desc, c.id desc
    limit ${limit + 1}
  `
  const page = rows.slice(0, limit)
  const last = page[page.length - 1]
  return { rows: page.map(({ key: _key, ...row }) => row), next: rows.length > limit && last ? writeCursor(last.key, last.id) : null }
}

/** The key of the last row shown: its opening instant to the microsecond, as stored (a Date keeps only milliseconds), and id. */
function writeCursor(openedAt: string, id: string): string {
  return Buffer.from(`${openedAt}|${id}`).toString('base64url')
}

function readCursor(cursor: string | null): { openedAt: string; id: string } | null {
  if (!cursor || cursor.length > 200) return null
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|')
  if (!at || !id || Number.isNaN(Date.parse(at)) || !/^[0-9a-f-]{36}$/i.test(id)) return null
  return { openedAt: at, id }
}

// ---- Search ----

export type SearchHit = {
  id: string
  number: number
  subject: string
  customerName: string | null
  customerEmail: string | null
  status: string
  severity: Severity
  openedAt: Date
  /** Where the words were found, with each found word between \u0001 and \u0002 (the view marks them). */
  snippet: string
}

/** "ESC-1042", "esc 1042", "#1042": the case number typed, when that is all the query is. */
export function caseNumberIn(query: string): number | null {
  const m = /^\s*(?:esc[-\s]?|#)(\d{1,9})\s*$/i.exec(query)
  return m ? Number(m[1]) : null
}

/**
 * The words of a query as a prefix query ("kowal" finds "Kowalczyk"): letters and digits only,
 * at most 8 words of at most 60 characters, so nothing the user types is tsquery syntax. A word
 * that starts with a digit also matches it signed: PostgreSQL's parser reads the number after a
 * hyphen or a plus as a signed integer ("BBB-901197" is indexed as 'bbb' and '-901197', "+1 555-0100"
 * as '+1', '555' and '-0100'), so "BBB-901197" or "901197" would otherwise not find that reference.
 */
export function prefixQuery(query: string): string | null {
  const words = (query.normalize('NFC').match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 8).map((w) => w.slice(0, 60).toLowerCase())
  const term = (w: string) => (/^[0-9]/.test(w) ? `(${w}:* | '-${w}':* | '+${w}':*)` : `${w}:*`)
  return words.length ? words.map(term).join(' & ') : null
}

/**
 * The cases a query finds: those it names (case number, reference, subject, customer) best
 * ranked first, then those whose thread mentions it, newest first. Each part stops at the
 * limit: a word in half the threads costs what a rare one does (sql/00023's indexes).
 */
export async function searchCases(db: DbOrTx, query: string, limit = 20): Promise<SearchHit[]> {
  const tsquery = prefixQuery(query)
  if (!tsquery) return []
  const named = await db<{ caseId: string }[]>`
    select case_id as "caseId" from search_named_cases(to_tsquery('simple', ${tsquery}), ${limit})`
  const mentioned =
    named.length < limit
      ? await db<{ caseId: string }[]>`
          select case_id as "caseId" from search_mentioned_cases(to_tsquery('simple', ${tsquery}), ${limit - named.length})`
      : []
  const ids = [...named, ...mentioned].map((r) => r.caseId)
  if (ids.length === 0) return []
  const rows = await db<SearchHit[]>`
    select c.id, c.number, c.subject, c.customer_name as "customerName", c.customer_email as "customerEmail",
           c.status, c.severity, c.opened_at as "openedAt",
           ts_headline('simple',
             c.subject || ' · ' || coalesce(c.customer_name, '') || ' ' || coalesce(c.customer_email, '') || ' · '
               || left(coalesce((select string_agg(a.extracted_text, ' ' order by a.position) from message_attachments a
                                 join messages m on m.id = a.message_id where m.case_id = c.id and a.extracted_text is not null), '')
                       || ' ' || coalesce((select string_agg(m.text_body, ' ' order by m.created_at) from messages m where m.case_id = c.id), ''), 20000),
             to_tsquery('simple', ${tsquery}),
             'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxWords=24, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "') as snippet
    from cases c where c.id = any(${ids}::uuid[])`
  const byId = new Map(rows.map((r) => [r.id, r]))
  return ids.map((id) => byId.get(id)).filter((r): r is SearchHit => !!r)
}

/** The case with this number in the signed-in org, if any. */
export async function caseIdByNumber(db: DbOrTx, number: number): Promise<string | null> {
  const [row]: [{ id: string }?] = await db`select id from cases where number = ${number}`
  return row?.id ?? null
}
