// `export`: 100,000 cases through exportCases (src/imports/export.ts), the generator behind
// `desk export` and /cases/export.csv, into a sink that only counts bytes: wall time and peak RSS
// while it streams. Then `export.route.*`: the real server (src/index.ts) serves
// /cases/export.csv to a client that reads it at BENCH_EXPORT_CLIENT_MBS (default 4 MB/s, slower
// than the server writes), the server's RSS sampled from /proc: it must stay flat, since the
// server writes a chunk only when the client has taken the one before.
// `BENCH_BEFORE=<checkout>` runs an older tree's own export bench first and prints its lines as
// `export.before.*` (support.ts).
import { get } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { createSession } from '../src/auth/sessions.ts'
import { exportCases } from '../src/imports/export.ts'
import { withOrg } from '../src/db.ts'
import { seedAccounts, seedCases, seedOrgs, seedUsers } from './seed.ts'
import { INBOUND_SECRET, loadAverage } from './inbound-client.ts'
import { freePort } from './ports.ts'
import { isMain, mb, memoryOf, note, result, runBefore, sampleRss, startServer, withBenchDatabase } from './support.ts'

const CASES = Number(process.env.BENCH_EXPORT_CASES || 100_000)
const CLIENT_MBS = Number(process.env.BENCH_EXPORT_CLIENT_MBS || 4)

/** Counts the lines of a chunk of the file (each ends in \n, as do line breaks inside quoted cells: the seed has none). */
function newlines(chunk: Buffer): number {
  let lines = 0
  for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++
  return lines
}

export async function runExportBench(): Promise<void> {
  await runBefore('export')
  await withBenchDatabase('export', async ({ db, url }) => {
    const [org] = await seedOrgs(db, 'bench', 1)
    const owners = await seedUsers(db, org!.id, org!.slug, 10)
    const accounts = await seedAccounts(db, org!.id, 500)
    await seedCases(db, [{ orgId: org!.id, total: CASES, open: 10_000 }], { owners, accounts })
    await db.unsafe('vacuum (analyze) cases, accounts, app_users')

    const rssBefore = process.memoryUsage().rss
    const sampler = sampleRss()
    const t0 = performance.now()
    let bytes = 0
    let lines = 0
    await withOrg(db, org!.id, async (tx) => {
      for await (const chunk of exportCases(tx)) {
        bytes += chunk.length
        lines += newlines(chunk)
      }
    })
    const seconds = (performance.now() - t0) / 1000
    const peak = sampler.stop()
    if (lines !== CASES + 1) throw new Error(`export wrote ${lines} lines, expected ${CASES + 1}`)
    note(`${mb(bytes).toFixed(1)} MB of CSV`)
    result('export.rows', CASES, 'rows')
    result('export.time', seconds, 's')
    result('export.rate', CASES / seconds, 'rows/s')
    result('export.rss_before', mb(rssBefore), 'MB')
    result('export.peak_rss', mb(peak), 'MB')
    result('export.load', await loadAverage(), 'load')

    const { token } = await withOrg(db, org!.id, (tx) => createSession(tx, { orgId: org!.id, userId: owners[0]! }))
    const server = await startServer({
      DATABASE_URL: url,
      INBOUND_SECRET,
      DESK_DEMO: '0',
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
    })
    try {
      const pid = server.child.pid!
      const path = `${server.url}/cases/export.csv`
      const cookie = `desk_session=${token}`
      // Once at full speed (which also warms the server: routes, the analysis worker), then slowly.
      const fast = performance.now()
      const first = await download(path, cookie, Infinity)
      result('export.route.fast_time', (performance.now() - fast) / 1000, 's')
      await sleep(3000)
      const idle = await memoryOf(pid)
      let serverPeak = idle.rss
      const timer = setInterval(() => {
        void memoryOf(pid).then(
          (m) => (serverPeak = Math.max(serverPeak, m.rss)),
          () => {},
        )
      }, 20)
      const started = performance.now()
      const slow = await download(path, cookie, CLIENT_MBS)
      const routeSeconds = (performance.now() - started) / 1000
      clearInterval(timer)
      serverPeak = Math.max(serverPeak, (await memoryOf(pid)).rss)
      for (const d of [first, slow]) if (d.lines !== CASES + 1) throw new Error(`the route wrote ${d.lines} lines, expected ${CASES + 1}`)
      note(`${mb(slow.bytes).toFixed(1)} MB through /cases/export.csv at ${CLIENT_MBS} MB/s`)
      result('export.route.slow_time', routeSeconds, 's')
      result('export.route.server_rss_before', mb(idle.rss), 'MB')
      result('export.route.server_peak_rss', mb(serverPeak), 'MB')
      result('export.route.server_growth', mb(serverPeak - idle.rss), 'MB')
      result('export.route.load', await loadAverage(), 'load')
    } finally {
      await server.stop()
    }
  })
}

/** GET `url` and read the body no faster than `mbs` MB/s, counting its bytes and lines. */
function download(url: string, cookie: string, mbs: number): Promise<{ bytes: number; lines: number }> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { cookie } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`GET ${url} answered ${res.statusCode}`))
      void (async () => {
        const t0 = performance.now()
        let bytes = 0
        let lines = 0
        for await (const chunk of res as AsyncIterable<Buffer>) {
          bytes += chunk.length
          lines += newlines(chunk)
          const due = t0 + (bytes / (mbs * 1024 * 1024)) * 1000
          if (due > performance.now()) await sleep(due - performance.now())
        }
        resolve({ bytes, lines })
      })().catch(reject)
    }).on('error', reject)
  })
}

if (isMain(import.meta.url)) await runExportBench()
