// `ingest` and `rss`: the real server (`node --import tsx src/index.ts`) on its own database,
// fed the corpus through `POST /inbound/raw` by 32 concurrent senders with HMAC signatures, each
// copy a new message (its own Message-ID). Then postal-mime alone on the same bytes, in the same
// run, and the server's memory after the load.
import { createHmac } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import PostalMime from 'postal-mime'
import { freePort } from './ports.ts'
import { isMain, mb, memoryOf, note, percentile, repoRoot, result, startServer, withBenchDatabase } from './support.ts'

const MIN_MESSAGES = 5_000
const SENDERS = 32
const WARM_UP = 64
const SECRET = 'bench-inbound-secret-0123456789abcdef'
const DESK_ADDRESS = 'escalations@example.com' // the demo org's inbound address (DESK_DEMO=1)
// BENCH_INGEST_ORGS=N spreads the messages over the demo org and N-1 more (a diagnostic: intake
// serialises case creation per org, so this shows how much of the limit is that lock).
const ORGS = Math.max(1, Number(process.env.BENCH_INGEST_ORGS || 1))
const deskAddress = (index: number) => (index % ORGS === 0 ? DESK_ADDRESS : `escalations@bench-org-${index % ORGS}.example`)

type CorpusFile = { path: string; bytes: Buffer }

const corpusDir = () => process.env.BENCH_CORPUS || join(repoRoot, '..', 'shared', 'corpus')

async function loadCorpus(dir: string): Promise<CorpusFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  const paths = entries
    .filter((e) => e.isFile() && e.name.endsWith('.eml'))
    .map((e) => join(e.parentPath, e.name))
    .sort()
  return Promise.all(paths.map(async (path) => ({ path: relative(dir, path), bytes: await readFile(path) })))
}

/**
 * Copy `copy` of a corpus message as a new delivery: its top-level Message-ID replaced (or added)
 * with a unique one, and a `Delivered-To` line as the receiving MTA adds, so routing picks the
 * demo org the way it would in production. The rest of the bytes are untouched.
 */
export function copyOf(file: CorpusFile, copy: number, index: number): Buffer<ArrayBuffer> {
  const raw = file.bytes
  const head = raw.subarray(0, Math.min(raw.length, 256 * 1024)).toString('latin1')
  const crlf = /\r\n/.test(head.slice(0, 2048))
  const eol = crlf ? '\r\n' : '\n'
  const end = head.search(/\r?\n\r?\n/)
  const headerEnd = end === -1 ? head.length : end
  const id = `<bench.${copy}.${index}@bench.invalid>`
  // The Message-ID line and its folded continuation lines, within the header block only.
  const match = /(^|\n)message-id:[^\n]*(?:\n[ \t][^\n]*)*/i.exec(head.slice(0, headerEnd))
  let body: Buffer<ArrayBuffer>
  if (match) {
    const start = match.index + match[1]!.length
    const stop = match.index + match[0].length
    const trailingCr = head[stop - 1] === '\r' ? '\r' : ''
    body = Buffer.concat([raw.subarray(0, start), Buffer.from(`Message-ID: ${id}${trailingCr}`, 'latin1'), raw.subarray(stop)])
  } else {
    body = Buffer.concat([Buffer.from(`Message-ID: ${id}${eol}`, 'latin1'), raw])
  }
  return Buffer.concat([Buffer.from(`Delivered-To: ${deskAddress(index)}${eol}`, 'latin1'), body])
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (clock ticks of 1/100 s). */
async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

type Outcome = { status: number; outcome: string; ms: number }

async function post(url: string, body: Buffer<ArrayBuffer>): Promise<Outcome> {
  const timestamp = String(Math.floor(Date.now() / 1000))
  const signature = createHmac('sha256', SECRET).update(`v2.${timestamp}./inbound/raw\n`).update(body).digest('hex')
  const t0 = performance.now()
  const response = await fetch(`${url}/inbound/raw`, {
    method: 'POST',
    headers: { 'content-type': 'message/rfc822', 'x-desk-timestamp': timestamp, 'x-desk-signature': `v2=${signature}` },
    body,
  })
  const text = await response.text()
  const ms = performance.now() - t0
  let outcome = `http_${response.status}`
  if (response.ok) {
    try {
      outcome = (JSON.parse(text) as { status?: string }).status ?? outcome
    } catch {
      /* counted under http_<status> */
    }
  }
  return { status: response.status, outcome, ms }
}

/** `total` messages (index → bytes) sent by `senders` workers pulling from one counter. */
async function replay(url: string, total: number, message: (i: number) => Buffer<ArrayBuffer>, senders: number, offset = 0) {
  const latencies: number[] = new Array(total)
  const outcomes = new Map<string, number>()
  let next = 0
  const worker = async () => {
    for (let i = next++; i < total; i = next++) {
      const { outcome, ms } = await post(url, message(offset + i))
      latencies[i] = ms
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
    }
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: senders }, worker))
  return { seconds: (performance.now() - t0) / 1000, latencies, outcomes }
}

export async function runIngestBench(report: { ingest: boolean; rss: boolean } = { ingest: true, rss: true }): Promise<void> {
  const corpus = await loadCorpus(corpusDir())
  if (corpus.length === 0) throw new Error(`no .eml files under ${corpusDir()}`)
  const copies = Math.ceil(MIN_MESSAGES / corpus.length)
  const total = copies * corpus.length
  // Message i is copy ⌊i / n⌋ of file i mod n: every copy is a new message, files interleaved.
  const message = (i: number) => copyOf(corpus[i % corpus.length]!, Math.floor(i / corpus.length), i)
  note(
    `corpus: ${corpus.length} messages, ${mb(corpus.reduce((n, f) => n + f.bytes.length, 0)).toFixed(1)} MB; replaying ${total} (${copies} copies) with ${SENDERS} senders`,
  )

  await withBenchDatabase('ingest', async ({ url, db }) => {
    const port = await freePort()
    const server = await startServer({
      DATABASE_URL: url,
      INBOUND_SECRET: SECRET,
      DESK_DEMO: '1',
      HOST: '127.0.0.1',
      PORT: String(port),
    })
    try {
      if (ORGS > 1) {
        await db`
          insert into orgs (slug, name, inbound_addresses)
          select 'bench-org-' || g, 'Bench org ' || g, array['escalations@bench-org-' || g || '.example']
          from generate_series(1, ${ORGS - 1}::int) g`
        result('ingest.orgs', ORGS, 'orgs')
      }
      const pid = server.child.pid!
      const idle = await memoryOf(pid)
      // Warm-up copies are numbered after the measured ones, so they are new messages too.
      await replay(server.url, WARM_UP, message, SENDERS, total)
      const cpuBefore = await cpuSecondsOf(pid)
      const run = await replay(server.url, total, message, SENDERS)
      const serverCpu = (await cpuSecondsOf(pid)) - cpuBefore
      const after = await memoryOf(pid)

      if (report.ingest) {
        result('ingest.messages', total, 'msg')
        result('ingest.rate', total / run.seconds, 'msg/s')
        result('ingest.p50', percentile(run.latencies, 50), 'ms')
        result('ingest.p99', percentile(run.latencies, 99), 'ms')
        for (const [outcome, count] of [...run.outcomes].sort()) result(`ingest.outcome.${outcome}`, count, 'msg')
        // Share of one core the server process used while the senders ran (Node runs JS on one).
        result('ingest.server_cpu', (100 * serverCpu) / run.seconds, '%')
      }
      if (report.rss) {
        result('rss.server_idle', mb(idle.rss), 'MB')
        result('rss.server_after_ingest', mb(after.rss), 'MB')
        result('rss.server_peak', mb(after.hwm), 'MB')
      }
      const failed = [...run.outcomes].filter(([k]) => k.startsWith('http_')).reduce((n, [, c]) => n + c, 0)
      if (failed > 0) {
        note(`${failed} deliveries were not answered 200: the figures above are not a clean run`)
        process.exitCode = 1
      }

      await server.stop()
      if (!report.ingest) return

      // postal-mime alone, same bytes, one after another on this process's one thread (the server
      // also parses on one thread). Building each copy is outside the timed calls.
      const parseOptions = { forceRfc822Attachments: true }
      for (let i = 0; i < WARM_UP; i++) await PostalMime.parse(message(total + i), parseOptions)
      const parseTimes: number[] = []
      for (let i = 0; i < total; i++) {
        const bytes = message(i)
        const t0 = performance.now()
        await PostalMime.parse(bytes, parseOptions)
        parseTimes.push(performance.now() - t0)
      }
      const parseRate = total / (parseTimes.reduce((a, b) => a + b, 0) / 1000)
      result('ingest.parse_only_rate', parseRate, 'msg/s')
      result('ingest.parse_only_p50', percentile(parseTimes, 50), 'ms')
      result('ingest.parse_only_p99', percentile(parseTimes, 99), 'ms')
      result('ingest.ratio', total / run.seconds / parseRate, 'x')
    } finally {
      await server.stop()
    }
  })
}

if (isMain(import.meta.url)) {
  const names = process.argv.slice(2)
  await runIngestBench(names.length ? { ingest: names.includes('ingest'), rss: names.includes('rss') } : undefined)
}
