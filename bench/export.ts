// `export`: 100,000 cases through exportCases (src/imports/export.ts), the generator behind
// `desk export` and /cases/export.csv, into a sink that only counts bytes: wall time and peak RSS
// while it streams. `BENCH_BEFORE=<checkout>` runs an older tree's own export bench first and
// prints its lines as `export.before.*` (support.ts).
import { exportCases } from '../src/imports/export.ts'
import { withOrg } from '../src/db.ts'
import { seedAccounts, seedCases, seedOrgs, seedUsers } from './seed.ts'
import { loadAverage } from './inbound-client.ts'
import { isMain, mb, note, result, runBefore, sampleRss, withBenchDatabase } from './support.ts'

const CASES = Number(process.env.BENCH_EXPORT_CASES || 100_000)

export async function runExportBench(): Promise<void> {
  await runBefore('export')
  await withBenchDatabase('export', async ({ db }) => {
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
        bytes += Buffer.byteLength(chunk)
        for (let at = chunk.indexOf('\n'); at !== -1; at = chunk.indexOf('\n', at + 1)) lines++
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
  })
}

if (isMain(import.meta.url)) await runExportBench()
