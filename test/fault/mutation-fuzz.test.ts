import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { corpusDir, emlFilesUnder } from '../intake/mail-helpers.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import { createTestApp, testAnalysis, testEnv } from '../support/app.ts'
import { buildEml, seedOrg, testDb } from '../support/db.ts'
import { signRaw } from '../support/inbound.ts'
import { mutants, type Mutant } from '../support/mutate.ts'

// Fault suite: mutated corpus mail through POST /inbound/raw (in process, the
// database up). Whatever the bytes, the endpoint answers 200 with an outcome — never a 5xx,
// never a crash — and every stored message ends as a case, a thread, a duplicate or quarantined
// with a reason: no raw row is left 'received'. FUZZ_SEED and FUZZ_CASES reproduce or widen a run.

const seed = Number(process.env.FUZZ_SEED ?? 20261122)
const CASES = Number(process.env.FUZZ_CASES ?? 2000)
const CONCURRENCY = 8
const secret = 'fuzz-inbound-secret-0123456789abcdef'
// Each message's ingest, wait for the analysis worker included, must finish within this: the
// corpus's slowest message takes under half of it, and a parse that turned quadratic (the regex
// HTML-to-text took 27 s on 120,000 "<") would take far longer.
const MESSAGE_BUDGET_MS = 3_000

/**
 * Inputs whose cost is after postal-mime, in HTML-to-text, forward detection and classification:
 * mutating the corpus never produces them. Each was minutes of one thread before it was made linear.
 */
function costlyInputs(): Mutant[] {
  const mail = (name: string, parts: { text?: string; html?: string; subject?: string }): Mutant => {
    const head = [
      `From: Pat <pat@customer.test>`,
      `Subject: ${parts.subject ?? name}`,
      `Message-ID: <${name}.${seed}@fuzz.test>`,
      'MIME-Version: 1.0',
    ]
    const part = (type: string, body: string) => `Content-Type: text/${type}; charset=utf-8\r\n\r\n${body}`
    const body =
      parts.text !== undefined && parts.html !== undefined
        ? [
            'Content-Type: multipart/alternative; boundary="b"',
            '',
            '--b',
            part('plain', parts.text),
            '--b',
            part('html', parts.html),
            '--b--',
            '',
          ]
        : [parts.html !== undefined ? part('html', parts.html) : part('plain', parts.text ?? ''), '']
    return { base: `costly/${name}`, ops: [name], bytes: new TextEncoder().encode([...head, ...body].join('\r\n')) }
  }
  return [
    mail('html-only-lt', { html: `Hello ${'<'.repeat(300_000)}` }),
    mail('html-lt-beside-text', { text: 'Hello, see below.', html: `Hello ${'<'.repeat(300_000)}` }),
    mail('html-nested-divs', { html: '<div>'.repeat(100_000) + 'deep' }),
    mail('html-unclosed-tags', { html: '<div>'.repeat(50_000) + '</span>'.repeat(50_000) }),
    mail('html-cells', { html: '<td>x</td>'.repeat(60_000) }),
    mail('html-entities', { html: '&#'.repeat(150_000) }),
    mail('text-spaces-after-ref', { text: `complaint no${' '.repeat(100_000)}x` }),
    mail('text-digit-run', { text: '1,'.repeat(100_000) }),
    mail('text-quoted-blank-lines', {
      subject: 'Fwd: complaint',
      text: `---------- Forwarded message ---------\nFrom: ${'\n>'.repeat(100_000)}`,
    }),
    mail('text-brackets', { subject: 'Fwd: complaint', text: '<['.repeat(100_000) }),
  ]
}

// The whole corpus, with its dozen messages over 128 KB (up to 3 MB: torture tests, endless
// enclosures) drawn about once in fifty cases, so a CI run stores tens of MB, not hundreds.
function loadCorpus() {
  const all = emlFilesUnder(corpusDir).map((path) => ({ name: relative(corpusDir, path), bytes: new Uint8Array(readFileSync(path)) }))
  const small = all.filter((m) => m.bytes.byteLength <= 128 * 1024)
  const large = all.filter((m) => m.bytes.byteLength > 128 * 1024)
  return { all, weighted: [...Array.from({ length: 4 }, () => small).flat(), ...large] }
}

type Result = {
  i: number
  mutant: Mutant
  status: number
  body: { status?: string; case?: string | null; reason?: string }
  ms: number
  routed: boolean
}

describe('mutation fuzzing of corpus mail through POST /inbound/raw', () => {
  let db: Db
  // One org per worker: cases of one org are numbered and audited in order (a row lock each),
  // which would serialize the run; the fuzz is after the parser and the pipeline, not that lock.
  let orgs: Org[]
  let app: ReturnType<typeof createTestApp>

  beforeAll(async () => {
    db = testDb(CONCURRENCY + 2)
    orgs = await Promise.all(Array.from({ length: CONCURRENCY }, () => seedOrg(db)))
    app = createTestApp(db, { env: testEnv({ INBOUND_SECRET: secret }) })
    // The process's one-time costs (the analysis worker's start and warm-up, the language
    // detector's tables) are paid by one ordinary message here, as `npm start` pays them before
    // it takes mail, not by the first timed mutants.
    await ingestMessage(db, { orgId: orgs[0]!.id, raw: buildEml(), provider: 'test', analyze: testAnalysis.analyze })
  })
  afterAll(() => db.end())

  it(
    `${CASES} mutants (seed ${seed}): 200 with an outcome for each, no 5xx, and every stored message settled`,
    { timeout: 170_000 },
    async () => {
      const corpus = loadCorpus()
      expect(corpus.all.length).toBeGreaterThan(200)
      const results: Result[] = []
      const costly = costlyInputs()
      const cases = (function* () {
        // One costly input every 100 mutants, among the senders' ordinary traffic.
        let i = 0
        for (const mutant of mutants(seed, corpus.weighted, CASES)) {
          if (i % 100 === 0 && i / 100 < costly.length) yield costly[i / 100]!
          i++
          yield mutant
        }
        yield* costly.slice(Math.ceil(i / 100))
      })()
      let index = 0
      const started = Date.now()

      async function worker(org: Org) {
        for (let next = cases.next(); !next.done; next = cases.next()) {
          const i = index++
          const mutant = next.value
          // Most go to the org by ?org=; some route by a Delivered-To we add; the rest by whatever
          // addresses the mangled message still has (mostly nobody's: quarantined without an org).
          const route = mutant.base.startsWith('costly/') ? 0 : i % 10
          let bytes = mutant.bytes
          if (route === 8)
            bytes = new Uint8Array([...Buffer.from(`Delivered-To: escalations+fuzz@${org.slug}.test\r\n`, 'latin1'), ...bytes])
          const query = route < 8 ? `?org=${org.slug}` : ''
          const t0 = performance.now()
          const res = await app.request(`/inbound/raw${query}`, {
            method: 'POST',
            body: bytes as BodyInit,
            headers: { 'content-type': 'message/rfc822', ...signRaw(secret, bytes, { target: `/inbound/raw${query}` }) },
          })
          const body = await res.json()
          results.push({ i, mutant: { ...mutant, bytes }, status: res.status, body, ms: performance.now() - t0, routed: route < 9 })
        }
      }
      await Promise.all(orgs.map(worker))
      const elapsed = Date.now() - started

      const describe = (r: Result) =>
        `case ${r.i} (seed ${seed}, ${r.mutant.base}, ${r.mutant.ops.join('+')}): ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`
      expect(results).toHaveLength(CASES + costly.length)
      // Every answer is 200 with one of the five outcomes; a quarantine or a not-escalation (a
      // bounce, an auto-reply, bulk mail: kept, no case of its own) says why, on one line.
      const wrong = results.filter((r) => {
        // A mutation can leave nothing at all: that is refused outright, and nothing is stored.
        if (r.mutant.bytes.byteLength === 0) return r.status !== 400
        if (r.status !== 200) return true
        const { status, reason } = r.body
        if (status === 'quarantined') return typeof reason !== 'string' || !/^[^\n]{3,}$/.test(reason)
        if (status === 'not_escalation')
          return typeof reason !== 'string' || !/^[^\n]{3,}$/.test(reason) || !(r.body.case === null || /^ESC-\d+$/.test(r.body.case ?? ''))
        return !['created', 'threaded', 'duplicate'].includes(status ?? '') || !/^ESC-\d+$/.test(r.body.case ?? '')
      })
      expect(wrong.slice(0, 10).map(describe)).toEqual([])

      // Every stored row is settled: none left 'received', a reason on each quarantine, a case on the
      // rest but kept not-escalations (which answer a case only when they are on its thread).
      const stored = results.filter((r) => r.mutant.bytes.byteLength > 0)
      const shaOf = (r: Result) => createHash('sha256').update(r.mutant.bytes).digest('hex')
      const shas = [...new Set(stored.map(shaOf))]
      const rows = await db<{ sha256: string; status: string; reason: string | null; caseId: string | null; orgId: string | null }[]>`
      select sha256, status, reason, case_id as "caseId", org_id as "orgId" from inbound_raw
      where sha256 = any(${shas}::text[]) and provider = 'raw' and received_at >= ${new Date(started - 1000)}`
      // (Other test files store corpus messages too; a mutant can equal one byte for byte.) A
      // redelivery, the same Message-ID or bytes as a message already on a case, is answered
      // `duplicate` without a copy of its own; everything else has its row.
      expect(rows.length).toBeLessThanOrEqual(stored.length)
      const rowShas = new Set(rows.map((r) => r.sha256))
      expect(
        stored
          .filter((r) => r.body.status !== 'duplicate' && !rowShas.has(shaOf(r)))
          .slice(0, 10)
          .map(describe),
      ).toEqual([])
      expect(rows.filter((r) => r.status === 'received')).toEqual([])
      expect(rows.filter((r) => r.status === 'quarantined' && !r.reason)).toEqual([])
      const ours = new Set(orgs.map((o) => o.id))
      expect(rows.filter((r) => r.status === 'not_escalation' && (!r.reason || !ours.has(r.orgId!)))).toEqual([])
      expect(rows.filter((r) => !['quarantined', 'not_escalation'].includes(r.status) && (!r.caseId || !ours.has(r.orgId!)))).toEqual([])
      // Routed mail stays in the run's orgs; nothing leaks into another org.
      expect(rows.filter((r) => r.orgId !== null && !ours.has(r.orgId))).toEqual([])

      const outcomes: Record<string, number> = {}
      for (const r of results) {
        const outcome = r.body.status ?? `http ${r.status}`
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1
      }
      // The run exercised every path, not only the quarantine.
      expect(outcomes.created).toBeGreaterThan(CASES / 4)
      expect(outcomes.quarantined).toBeGreaterThan(CASES / 20)
      const slowest = [...results].sort((a, b) => b.ms - a.ms)[0]!
      expect(results.filter((r) => r.ms > MESSAGE_BUDGET_MS).map((r) => `${Math.round(r.ms)} ms: ${describe(r)}`)).toEqual([])
      // The costly inputs were analysed to an outcome, not cut off by the worker's time limit.
      expect(results.filter((r) => r.mutant.base.startsWith('costly/') && /took longer/.test(r.body.reason ?? '')).map(describe)).toEqual(
        [],
      )
      console.info(
        `fault/mutation-fuzz: ${CASES} cases, seed ${seed}, ${elapsed} ms (${Math.round(CASES / (elapsed / 1000))}/s); ` +
          `${JSON.stringify(outcomes)}; slowest ${Math.round(slowest.ms)} ms (${slowest.mutant.ops.join('+')} of ${slowest.mutant.base})`,
      )
    },
  )
})
