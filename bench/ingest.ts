// `ingest` and `rss`: the real server (`node --import tsx src/index.ts`) on its own database,
// fed the corpus through `POST /inbound/raw` by 32 concurrent senders with HMAC signatures, each
// copy a new message (its own Message-ID): first one server process, then two on one database.
// postal-mime alone on the same bytes, in the same run, is the baseline of both ratios; and the
// one server's memory after the load.
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import PostalMime from 'postal-mime'
import { cpuSecondsOf, failedCount, INBOUND_SECRET, loadAverage, replay, threadCpuOf } from './inbound-client.ts'
import { freePort } from './ports.ts'
import { isMain, mb, memoryOf, note, percentile, repoRoot, result, startServer, withBenchDatabase, type Server } from './support.ts'
import type { Db } from '../src/db.ts'

// BENCH_INGEST_MESSAGES: fewer for a quick A/B of two trees (the figures above are 5,000).
const MIN_MESSAGES = Number(process.env.BENCH_INGEST_MESSAGES || 5_000)
// BENCH_INGEST_SENDERS: concurrent senders (1 shows each statement's cost without lock waits).
const SENDERS = Number(process.env.BENCH_INGEST_SENDERS || 32)
const WARM_UP = 64
const DESK_ADDRESS = 'escalations@example.com' // the demo org's inbound address (DESK_DEMO=1)
// BENCH_INGEST_ORGS=N spreads the messages over the demo org and N-1 more (a diagnostic: intake
// serialises case creation per org, so this shows how much of the limit is that lock).
const ORGS = Math.max(1, Number(process.env.BENCH_INGEST_ORGS || 1))
// BENCH_INGEST_PROCESSES=1,2 (the default): the server counts measured, each on its own database.
const PROCESSES = (process.env.BENCH_INGEST_PROCESSES || '1,2')
  .split(',')
  .map(Number)
  .filter((n) => n >= 1)
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
 * demo org the way it would in production. The rest of the bytes are untouched, so a copy of a
 * forward still quotes the same original (its Message-ID, sender, subject and minute, text) and
 * a notice still names the same reference: to intake that is the same complaint again, and the
 * copy is threaded onto the case the first copy opened (src/intake/threading.ts). Of the 221
 * files, 32 are kept not-escalations and 1 is quarantined in every copy, 31 are threaded in every
 * copy, and 22 open a case in the first copy only: with k copies, 157 + 135(k - 1) created and
 * 31k + 22(k - 1) threaded (5 copies: 697 and 243; 23 copies: 3,127 and 1,197, as measured).
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

  const parse = report.ingest ? await parseOnly(total, message) : null
  if (parse) {
    result('ingest.parse_only_rate', parse.rate, 'msg/s')
    result('ingest.parse_only_p50', percentile(parse.times, 50), 'ms')
    result('ingest.parse_only_p99', percentile(parse.times, 99), 'ms')
  }
  // One server process, then two on one database (what scaling out adds), each on a new database.
  for (const processes of report.ingest ? PROCESSES : [1]) {
    const run = await serverRun(processes, total, message)
    const prefix = processes === 1 ? 'ingest' : `ingest.${processes}p`
    if (report.ingest && parse) {
      result(`${prefix}.messages`, total, 'msg')
      result(`${prefix}.rate`, total / run.seconds, 'msg/s')
      result(`${prefix}.p50`, percentile(run.latencies, 50), 'ms')
      result(`${prefix}.p99`, percentile(run.latencies, 99), 'ms')
      // Over a second although postal-mime alone parses the same message in less.
      const slow = run.latencies.filter((ms, i) => ms > 1000 && parse.times[i]! < 1000).length
      result(`${prefix}.over_1s_not_parser`, slow, 'msg')
      for (const [outcome, count] of [...run.outcomes].sort()) result(`${prefix}.outcome.${outcome}`, count, 'msg')
      // Share of one core the server processes used while the senders ran (Node runs JS on one).
      result(`${prefix}.server_cpu`, (100 * run.serverCpu) / run.seconds, '%')
      // The same by thread (main: the event loop; worker: the analysis; gc; libuv), and per message.
      for (const [kind, s] of run.threadCpu) result(`${prefix}.server_cpu.${kind}`, (100 * s) / run.seconds, '%')
      result(`${prefix}.server_cpu_per_message`, (1000 * run.serverCpu) / total, 'ms')
      // The database's backends for this run (those of the bench database), per message.
      result(`${prefix}.db_cpu`, (100 * run.dbCpu) / run.seconds, '%')
      result(`${prefix}.db_cpu_per_message`, (1000 * run.dbCpu) / total, 'ms')
      result(`${prefix}.load`, run.load, 'load')
      // What the database's backends were doing, sampled every 50 ms: mean backends per sample.
      for (const [state, mean] of run.waits) result(`${prefix}.db.${state}`, mean, 'backends')
      result(`${prefix}.ratio`, total / run.seconds / parse.rate, 'x')
    }
    if (report.rss && processes === 1) {
      result('rss.server_idle', mb(run.idle.rss), 'MB')
      result('rss.server_after_ingest', mb(run.after.rss), 'MB')
      result('rss.server_peak', mb(run.after.hwm), 'MB')
    }
  }
}

/** postal-mime alone on the same bytes, one after another on this thread; building each copy is untimed. */
async function parseOnly(total: number, message: (i: number) => Buffer<ArrayBuffer>) {
  const parseOptions = { forceRfc822Attachments: true }
  for (let i = 0; i < WARM_UP; i++) await PostalMime.parse(message(total + i), parseOptions)
  const times: number[] = []
  for (let i = 0; i < total; i++) {
    const bytes = message(i)
    const t0 = performance.now()
    await PostalMime.parse(bytes, parseOptions)
    times.push(performance.now() - t0)
  }
  return { times, rate: total / (times.reduce((a, b) => a + b, 0) / 1000) }
}

/** `processes` servers on one new database take the messages, the senders spread evenly over them. */
async function serverRun(processes: number, total: number, message: (i: number) => Buffer<ArrayBuffer>) {
  return withBenchDatabase('ingest', async ({ url, db }) => {
    const servers: Server[] = []
    try {
      // One after the other: the first creates the demo org, the next finds it.
      for (let n = 0; n < processes; n++) {
        const env = { DATABASE_URL: url, INBOUND_SECRET, DESK_DEMO: '1', HOST: '127.0.0.1', PORT: String(await freePort()) }
        servers.push(await startServer(env))
      }
      if (ORGS > 1) {
        await db`
          insert into orgs (slug, name, inbound_addresses)
          select 'bench-org-' || g, 'Bench org ' || g, array['escalations@bench-org-' || g || '.example']
          from generate_series(1, ${ORGS - 1}::int) g`
        result('ingest.orgs', ORGS, 'orgs')
      }
      const urls = servers.map((s) => s.url)
      const pids = servers.map((s) => s.child.pid!)
      const cpu = async () => (await Promise.all(pids.map(cpuSecondsOf))).reduce((a, b) => a + b, 0)
      const idle = await memoryOf(pids[0]!)
      // Warm-up copies are numbered after the measured ones, so they are new messages too.
      await replay(urls, WARM_UP, message, SENDERS, total)
      const threads = async () => {
        const all = new Map<string, number>()
        for (const pid of pids) for (const [kind, s] of await threadCpuOf(pid)) all.set(kind, (all.get(kind) ?? 0) + s)
        return all
      }
      const threadsBefore = await threads()
      const dbBefore = await backendCpu(db)
      const cpuBefore = await cpu()
      const sampling = sampleBackends(db)
      const run = await replay(urls, total, message, SENDERS)
      const waits = await sampling.stop()
      const serverCpu = (await cpu()) - cpuBefore
      const dbAfter = await backendCpu(db)
      const dbCpu = [...dbAfter].reduce((sum, [pid, s]) => sum + s - (dbBefore.get(pid) ?? 0), 0)
      const threadCpu = [...(await threads())].map(([kind, s]) => [kind, s - (threadsBefore.get(kind) ?? 0)] as const)
      const load = await loadAverage()
      const after = await memoryOf(pids[0]!)
      const failed = failedCount(run.outcomes)
      if (failed > 0) {
        note(`${failed} deliveries to ${processes} process(es) were not answered 200: the figures are not a clean run`)
        process.exitCode = 1
      }
      return { ...run, serverCpu, threadCpu, dbCpu, load, idle, after, waits }
    } finally {
      await Promise.all(servers.map((s) => s.stop()))
    }
  })
}

/** CPU seconds so far of each backend of the bench database (its servers' connections), by pid. */
async function backendCpu(db: Db): Promise<Map<number, number>> {
  const rows = await db<{ pid: number }[]>`
    select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`
  const cpu = new Map<number, number>()
  for (const { pid } of rows) cpu.set(pid, await cpuSecondsOf(pid).catch(() => 0))
  return cpu
}

/**
 * pg_stat_activity of the bench database every 50 ms while the senders run: per state (active,
 * idle in transaction) and wait (Lock:transactionid, Lock:tuple, Lock:advisory, …), the mean
 * number of the servers' backends in it. Waiting on a lock is what serialises intake.
 */
function sampleBackends(db: Db) {
  const totals = new Map<string, number>()
  let samples = 0
  let running = true
  const loop = (async () => {
    while (running) {
      const rows = await db<{ state: string }[]>`
        select case when wait_event_type in ('Lock', 'LWLock', 'IO') then 'wait_' || wait_event_type || '_' || wait_event
                    else replace(coalesce(state, 'unknown'), ' ', '_') end as state
        from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend' and state <> 'idle'`
      samples++
      for (const { state } of rows) totals.set(state, (totals.get(state) ?? 0) + 1)
      await new Promise((r) => setTimeout(r, 50))
    }
  })()
  return {
    async stop(): Promise<[string, number][]> {
      running = false
      await loop
      return [...totals].sort().map(([state, n]) => [state, n / Math.max(1, samples)])
    },
  }
}

if (isMain(import.meta.url)) {
  const names = process.argv.slice(2)
  await runIngestBench(names.length ? { ingest: names.includes('ingest'), rss: names.includes('rss') } : undefined)
}
