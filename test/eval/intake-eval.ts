// The intake evaluation: realistic mail nobody shaped to the code (test/fixtures/intake-eval/),
// each message with what a careful escalation manager decided about it. Every message is read
// twice: once as `desk ingest --dry-run --json` reads it (the fields), once ingested in order into
// a fresh organization on a real PostgreSQL (which messages end up in one case, and which open
// none). `npm run eval:intake` prints per-field accuracy and every miss; test/intake/eval.test.ts
// holds CI to the targets.
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Db } from '../../src/db.ts'
import { analyzeMessage } from '../../src/intake/analyze.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import { orgContext } from '../../src/intake/org-context.ts'
import { insertOrg, insertUser } from '../../src/orgs/queries.ts'

export const evalRoot = fileURLToPath(new URL('../fixtures/intake-eval/', import.meta.url))

export type Expectation = {
  file: string
  about: string
  isEscalation: boolean
  source: string | null
  channel: string | null
  customer: { email: string | null; name: string | null }
  externalRef: string | null
  severity: string | null
  language: string | null
  case: string | null
  forwardedBy: string[]
  notes?: string
}

/** The organization every message of the set is addressed to (see the set's README). */
export const northwind = {
  name: 'Northwind Outfitters',
  inboundAddresses: ['escalations@northwind.example'],
  domains: ['northwind.example', 'northwind.de', 'northwind-outfitters.example'],
  executives: ['dana.ruiz@northwind.example', 'ceo@northwind.example'],
  users: [
    { email: 'dana.ruiz@northwind.example', name: 'Dana Ruiz', role: 'approver' as const },
    { email: 't.baker@northwind.example', name: 'Tom Baker', role: 'agent' as const },
    { email: 'k.ito@northwind.example', name: 'Kenji Ito', role: 'agent' as const },
    { email: 'r.diaz@northwind.example', name: 'Rosa Diaz', role: 'agent' as const },
    { email: 'legal@northwind.example', name: 'Legal', role: 'approver' as const },
  ],
}

export async function loadSet(set: string): Promise<Expectation[]> {
  const dir = join(evalRoot, set)
  const files = (await readdir(dir)).filter((f) => /^expectations.*\.json$/.test(f)).sort()
  const all: Expectation[] = []
  for (const f of files) all.push(...(JSON.parse(await readFile(join(dir, f), 'utf8')) as Expectation[]))
  // Ingestion order is path order: a follow-up is numbered after the mail it follows.
  return all.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
}

export type FieldName =
  | 'isEscalation'
  | 'source'
  | 'channel'
  | 'customer.email'
  | 'customer.name'
  | 'externalRef'
  | 'severity'
  | 'language'
  | 'forwardedBy'
  | 'case'

export type Miss = { file: string; field: FieldName; expected: unknown; actual: unknown }
export type Report = {
  set: string
  messages: number
  fields: Record<FieldName, { right: number; total: number }>
  misses: Miss[]
  /** A customer address that is not the expected one: the reply would go to the wrong place. */
  wrongAddresses: Miss[]
  overall: number
}

const titles = /^(?:mr|mrs|ms|miss|mx|dr|prof|herr|frau|m|mme|mlle|sr|sra|srta|sig|sig\.ra|dhr|mevr|pan|pani)\.?\s+/i
const normalName = (n: unknown) =>
  typeof n === 'string' && n.trim()
    ? n
        .normalize('NFC')
        .toLowerCase()
        .replace(/["'“”]/g, '')
        .replace(titles, '')
        .replace(/\s+/g, ' ')
        .trim()
    : null
const normalRef = (r: unknown) => (typeof r === 'string' && r.trim() ? r.toUpperCase().replace(/[^A-Z0-9]/g, '') : null)
const normalEmail = (e: unknown) => (typeof e === 'string' && e.trim() ? e.trim().toLowerCase() : null)

function sameRef(expected: string | null, actual: unknown): boolean {
  const e = normalRef(expected)
  const a = normalRef(actual)
  if (e === null || a === null) return e === a
  // The desk may prefix the body ("BBB-22791160"); the reference itself must be whole.
  return a === e || (a.endsWith(e) && /^[A-Z]+$/.test(a.slice(0, a.length - e.length)))
}

type DryRunLike = Record<string, unknown> & {
  customer?: { email?: string | null; name?: string | null }
  channel?: unknown
}

/** The channel as a kind: the dry run may give a string or an object with `kind`. */
const channelKind = (c: unknown) => (c && typeof c === 'object' ? ((c as { kind?: string }).kind ?? null) : (c ?? null))

export async function evaluate(db: Db, set: string, options: { onProgress?: (done: number, total: number) => void } = {}): Promise<Report> {
  const expectations = await loadSet(set)
  const org = await seedNorthwind(db)
  const fields = Object.fromEntries(
    (
      [
        'isEscalation',
        'source',
        'channel',
        'customer.email',
        'customer.name',
        'externalRef',
        'severity',
        'language',
        'forwardedBy',
        'case',
      ] as FieldName[]
    ).map((f) => [f, { right: 0, total: 0 }]),
  ) as Report['fields']
  const misses: Miss[] = []
  const wrongAddresses: Miss[] = []
  const check = (file: string, field: FieldName, ok: boolean, expected: unknown, actual: unknown) => {
    fields[field].total++
    if (ok) fields[field].right++
    else misses.push({ file, field, expected, actual })
  }

  // What intake knows about Northwind when it reads its mail (the same context intake builds).
  const context = orgContext({
    name: northwind.name,
    inboundAddresses: northwind.inboundAddresses,
    domains: northwind.domains,
    teamAddresses: northwind.users.map((u) => u.email),
    executives: northwind.executives,
  })
  const caseOf = new Map<string, string | null>() // file → case label it ended in (null: none)
  let done = 0
  for (const e of expectations) {
    const raw = new Uint8Array(await readFile(join(evalRoot, set, e.file)))
    const analysis = await analyzeMessage(raw, context)
    const dry: DryRunLike = analysis.ok ? (analysis.summary as DryRunLike) : {}
    const isEscalation = analysis.ok ? ((dry.isEscalation as boolean | undefined) ?? true) : false
    check(
      e.file,
      'isEscalation',
      isEscalation === e.isEscalation,
      e.isEscalation,
      analysis.ok ? isEscalation : `unreadable: ${analysis.reason}`,
    )
    if (e.isEscalation) {
      check(e.file, 'source', dry.source === e.source, e.source, dry.source)
      check(e.file, 'channel', channelKind(dry.channel) === e.channel, e.channel, channelKind(dry.channel))
      const email = normalEmail(dry.customer?.email)
      const expectedEmail = normalEmail(e.customer.email)
      check(e.file, 'customer.email', email === expectedEmail, expectedEmail, email)
      if (email !== null && email !== expectedEmail)
        wrongAddresses.push({ file: e.file, field: 'customer.email', expected: expectedEmail, actual: email })
      check(
        e.file,
        'customer.name',
        normalName(dry.customer?.name) === normalName(e.customer.name),
        e.customer.name,
        dry.customer?.name ?? null,
      )
      check(e.file, 'externalRef', sameRef(e.externalRef, dry.externalRef), e.externalRef, dry.externalRef ?? null)
      check(e.file, 'severity', dry.severity === e.severity, e.severity, dry.severity)
      check(e.file, 'language', (dry.language ?? null) === e.language, e.language, dry.language ?? null)
      const forwarded = ((dry.forwardedBy as string[] | undefined) ?? []).map((a) => a.toLowerCase())
      check(e.file, 'forwardedBy', forwarded.join(',') === e.forwardedBy.map((a) => a.toLowerCase()).join(','), e.forwardedBy, forwarded)
    }

    const outcome = await ingestMessage(db, { orgId: org.id, raw, provider: 'eval' })
    caseOf.set(e.file, outcome.case)
    options.onProgress?.(++done, expectations.length)
  }

  // One case per group, a different case for every group; a message of no group opens none.
  const groupCase = new Map<string, string | null>()
  for (const e of expectations) if (e.case && !groupCase.has(e.case)) groupCase.set(e.case, caseOf.get(e.file) ?? null)
  for (const e of expectations) {
    const actual = caseOf.get(e.file) ?? null
    if (!e.case) {
      check(e.file, 'case', actual === null, null, actual)
      continue
    }
    const expected = groupCase.get(e.case) ?? null
    const takenByOther = [...groupCase].some(([group, label]) => group !== e.case && label !== null && label === actual)
    check(e.file, 'case', actual !== null && actual === expected && !takenByOther, `${e.case} (${expected})`, actual)
  }

  const totals = Object.values(fields).reduce((sum, f) => ({ right: sum.right + f.right, total: sum.total + f.total }), {
    right: 0,
    total: 0,
  })
  return { set, messages: expectations.length, fields, misses, wrongAddresses, overall: totals.total ? totals.right / totals.total : 1 }
}

async function seedNorthwind(db: Db) {
  const slug = `eval-${Math.random().toString(36).slice(2, 10)}`
  const org = await insertOrg(db, {
    slug,
    name: northwind.name,
    inboundAddresses: northwind.inboundAddresses,
    executiveForwarders: northwind.executives,
  })
  for (const u of northwind.users) await insertUser(db, org.id, u)
  return org
}

export function formatReport(r: Report, options: { misses?: boolean } = {}): string {
  const pct = (n: number) => `${(n * 100).toFixed(1)}%`
  const lines = [`intake eval, set ${r.set}: ${r.messages} messages, overall ${pct(r.overall)}`]
  for (const [name, f] of Object.entries(r.fields))
    lines.push(`  ${name.padEnd(15)} ${String(f.right).padStart(4)}/${String(f.total).padEnd(4)} ${pct(f.total ? f.right / f.total : 1)}`)
  lines.push(`  wrong customer addresses: ${r.wrongAddresses.length}`)
  if (options.misses !== false && r.misses.length) {
    lines.push('misses:')
    for (const m of r.misses) lines.push(`  ${m.file}  ${m.field}: expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.actual)}`)
  }
  return lines.join('\n')
}

export const relativeToRoot = (path: string) => relative(evalRoot, path)
