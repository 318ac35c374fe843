import { recordAudit, userActor } from '../audit/audit.ts'
import type { Tx } from '../db.ts'
import { upsertTicketCounts } from './queries.ts'

// The escalation rate's denominator: the org's total support tickets per calendar month, typed in
// or imported as CSV lines of month,count (the helpdesk's monthly report). A month entered again
// takes the new figure; each save is audited with what it replaced.

export type MonthCount = { month: string; tickets: number }

const monthPattern = /^(\d{4})-(0[1-9]|1[0-2])$/
export const MAX_TICKETS = 100_000_000
export const MAX_IMPORT_LINES = 240

/** One month,count pair, or the reason it is not one. */
export function parseMonthCount(month: string, count: string): MonthCount | { error: string } {
  const m = month.trim().replace(/^(\d{4})[/.](\d{1,2})$/, (_, y: string, mo: string) => `${y}-${mo.padStart(2, '0')}`)
  if (!monthPattern.test(m)) return { error: `"${month.trim().slice(0, 20)}" is not a month: write it as YYYY-MM, e.g. 2026-11.` }
  const n = count.trim().replace(/[\s,_]/g, '')
  if (!/^\d{1,9}$/.test(n) || Number(n) > MAX_TICKETS) {
    return { error: `${m}: "${count.trim().slice(0, 20)}" is not a ticket count (a whole number, up to 100,000,000).` }
  }
  return { month: m, tickets: Number(n) }
}

/** A line's fields, split on commas, semicolons or tabs outside "quotes" ("1,250" is one field). */
function splitFields(line: string): string[] {
  const fields = [...line.matchAll(/\s*(?:"((?:[^"]|"")*)"|([^,;\t"]*))\s*(?:[,;\t]|$)/g)]
  return fields.filter((m) => m[0] !== '').map((m) => (m[1] !== undefined ? m[1].replace(/""/g, '"') : (m[2] ?? '')))
}

/**
 * CSV of month,count, one a line; a header line (any line whose count is not a number, first)
 * is skipped. All or nothing: any bad line refuses the file, with every reason.
 */
export function parseTicketCsv(text: string): { ok: true; rows: MonthCount[] } | { ok: false; errors: string[] } {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r\n?|\n/)
    .map((l) => l.trim())
    .filter(Boolean)
  if (lines.length > MAX_IMPORT_LINES + 1) return { ok: false, errors: [`At most ${MAX_IMPORT_LINES} months a file.`] }
  const errors: string[] = []
  const byMonth = new Map<string, number>()
  lines.forEach((line, i) => {
    const [month = '', count = '', ...rest] = splitFields(line)
    if (i === 0 && !/\d/.test(count)) return
    const parsed = rest.some((f) => f.trim()) ? { error: `Line ${i + 1}: two fields, month and count.` } : parseMonthCount(month, count)
    if ('error' in parsed) errors.push(`Line ${i + 1}: ${parsed.error.replace(/^Line \d+: /, '')}`)
    else byMonth.set(parsed.month, parsed.tickets)
  })
  if (errors.length) return { ok: false, errors: errors.slice(0, 20) }
  if (!byMonth.size) return { ok: false, errors: ['The file has no month,count lines.'] }
  return { ok: true, rows: [...byMonth].map(([month, tickets]) => ({ month, tickets })) }
}

export async function saveTicketCounts(tx: Tx, orgId: string, user: { id: string }, rows: MonthCount[], via: 'form' | 'csv') {
  const saved = await upsertTicketCounts(tx, orgId, user.id, rows)
  await recordAudit(tx, orgId, {
    actor: userActor(user),
    action: 'ticket_counts.set',
    details: { via, months: saved.map((s) => ({ month: s.month, tickets: s.tickets, before: s.before })) },
  })
  return saved
}
