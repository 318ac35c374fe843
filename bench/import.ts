// `import`: a 50,000-row cases CSV through importCases (src/imports/cases.ts), the function behind
// `desk import` and the portal upload: wall time, rows/s over each 10,000 rows, the progress it
// reported, and the process's peak RSS while it runs. `BENCH_BEFORE=<checkout>` runs an older
// tree's own import bench first and prints its lines as `import.before.*` (support.ts).
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { importCases } from '../src/imports/cases.ts'
import { findOrgBySlug } from '../src/orgs/queries.ts'
import { loadAverage } from './inbound-client.ts'
import { seedAccounts, seedOrgs, seedUsers } from './seed.ts'
import { isMain, mb, note, result, runBefore, sampleRss, withBenchDatabase } from './support.ts'

const ROWS = Number(process.env.BENCH_IMPORT_ROWS || 50_000)

const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)

/** One row of a spreadsheet as people export them: aliased headers, mixed date formats, quoted commas. */
function csvLine(i: number, ownerSlug: string): string {
  const sources = ['CEO inbox', 'BBB', 'Lawyer', 'Regulator', 'Social media', 'Email', 'Web form']
  const severities = ['SEV-1', 'high', 'medium', 'low', '', 'P3']
  const statuses = ['', 'new', 'in progress', 'waiting_customer', 'resolved', 'closed', 'triaged']
  const day = new Date(Date.UTC(2025, 0, 1) + (i % 400) * 86_400_000 + (i % 1440) * 60_000)
  const date =
    i % 2
      ? day.toISOString()
      : `${day.getUTCMonth() + 1}/${day.getUTCDate()}/${day.getUTCFullYear()} ${String(day.getUTCHours()).padStart(2, '0')}:${String(day.getUTCMinutes()).padStart(2, '0')}`
  return [
    `Customer ${i}`,
    `customer${i}@customer${(i % 500) + 1}.example`,
    `Order #${i} arrived broken, second complaint`,
    `I wrote twice about order #${i}, nobody answered. "Unacceptable", I told your agent, and I want a refund, today.`,
    sources[i % sources.length]!,
    severities[i % severities.length]!,
    i % 3 === 0 ? `BBB-${1_000_000 + i}` : '',
    date,
    `customer${(i % 500) + 1}.example`,
    i % 4 === 0 ? `agent${(i % 10) + 1}@${ownerSlug}.example` : '',
    statuses[i % statuses.length]!,
  ]
    .map(quote)
    .join(',')
}

/** The file written a thousand rows at a time, so the bench's own RSS does not hold it. */
async function writeCsv(file: string, rows: number, ownerSlug: string): Promise<void> {
  const out = createWriteStream(file)
  const header =
    'Customer,Customer Email,Subject,Description,Channel,Priority,Complaint Number,Date Received,Company,Assigned To,Status\r\n'
  out.write(header)
  for (let i = 1; i <= rows; i += 1000) {
    let chunk = ''
    for (let j = i; j < i + 1000 && j <= rows; j++) chunk += csvLine(j, ownerSlug) + '\r\n'
    if (!out.write(chunk)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}

/**
 * The import runs in one transaction (it lands whole or not at all). If it is still running at
 * BENCH_IMPORT_TIMEOUT seconds (default 150; 0 = no limit) its connection is terminated, which
 * rolls it back, so `npm run bench` stays under its 10-minute budget; the lines then say how far
 * it got and how fast each 10,000 rows went.
 */
export async function runImportBench(): Promise<void> {
  await runBefore('import')
  const timeoutSeconds = Number(process.env.BENCH_IMPORT_TIMEOUT ?? 150)
  const dir = await mkdtemp(join(tmpdir(), 'desk-bench-import-'))
  try {
    await withBenchDatabase('import', async ({ db, name }) => {
      const [seeded] = await seedOrgs(db, 'bench', 1)
      await seedUsers(db, seeded!.id, seeded!.slug, 10)
      await seedAccounts(db, seeded!.id, 500)
      const org = (await findOrgBySlug(db, seeded!.slug))!
      const file = join(dir, 'cases.csv')
      await writeCsv(file, ROWS, org.slug)
      note(`${ROWS} rows, ${mb((await stat(file)).size).toFixed(1)} MB of CSV`)

      const rssBefore = process.memoryUsage().rss
      const sampler = sampleRss()
      const t0 = performance.now()
      const elapsed = () => (performance.now() - t0) / 1000
      let validated: number | null = null
      let lastValidation = { done: 0, at: 0 }
      // Seconds at which each 10,000th row was inserted (progress comes every 500-row batch).
      const marks: { rows: number; at: number }[] = [{ rows: 0, at: 0 }]
      let inserted = 0
      // Every report the import gave (the CLI prints them, the portal polls them): counted, and
      // checked to only go forward and to end at all rows of all rows.
      const reports = { validate: 0, import: 0, backwards: 0, last: { done: 0, total: 0 as number | null } }
      const running = importCases(db, org, () => createReadStream(file), {
        actor: { kind: 'system', id: 'bench' },
        onProgress: (stage, done, total) => {
          reports[stage]++
          if (stage === 'import' && done < reports.last.done) reports.backwards++
          if (stage === 'import') reports.last = { done, total }
          if (stage === 'validate') lastValidation = { done, at: elapsed() }
          if (stage !== 'import') return
          // Validation reports every 5,000 rows, so its last report is its end when ROWS is a multiple.
          if (validated === null) validated = lastValidation.done === ROWS ? lastValidation.at : elapsed()
          inserted = done
          if (done >= marks.at(-1)!.rows + 10_000) marks.push({ rows: done, at: elapsed() })
        },
      })
      let timer: NodeJS.Timeout | undefined
      const deadline = new Promise<'timeout'>((resolve) => {
        if (timeoutSeconds > 0) timer = setTimeout(() => resolve('timeout'), timeoutSeconds * 1000)
      })
      const outcome = await Promise.race([running, deadline])
      clearTimeout(timer)
      if (outcome === 'timeout') {
        // Cancels the import's running statement (again, until it gives up): its transaction then
        // rolls back. A cancel, not a terminate, so the client sees an ordinary query error.
        let settled = false
        const done = running
          .then(
            () => {},
            () => {},
          )
          .finally(() => (settled = true))
        while (!settled) {
          await db`select pg_cancel_backend(pid) from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid() and state = 'active'`
          await Promise.race([done, new Promise((wait) => setTimeout(wait, 100))])
        }
      }
      const seconds = elapsed()
      const peak = sampler.stop()

      result('import.rows', ROWS, 'rows')
      if (validated !== null) result('import.validate_time', validated, 's')
      for (let i = 1; i < marks.length; i++) {
        const [a, b] = [marks[i - 1]!, marks[i]!]
        // The first window also holds the validation pass; leave it out of the rate.
        const start = i === 1 ? (validated ?? 0) : a.at
        result(`import.rate_${a.rows / 1000}k_${b.rows / 1000}k`, (b.rows - a.rows) / (b.at - start), 'rows/s')
      }
      if (outcome === 'timeout') {
        result('import.timed_out_after', timeoutSeconds, 's')
        result('import.rows_inserted_at_timeout', inserted, 'rows')
      } else {
        if (!outcome.ok || outcome.created !== ROWS) {
          throw new Error(
            `import did not create ${ROWS} cases: ${JSON.stringify({ ...outcome, preview: undefined, errors: outcome.errors.slice(0, 5) })}`,
          )
        }
        result('import.time', seconds, 's')
        result('import.rate', outcome.created / seconds, 'rows/s')
        if (reports.backwards || reports.last.done !== ROWS || reports.last.total !== ROWS)
          throw new Error(`progress went backwards or did not end at ${ROWS} of ${ROWS}: ${JSON.stringify(reports)}`)
      }
      result('import.progress_reports', reports.validate + reports.import, 'reports')
      result('import.rss_before', mb(rssBefore), 'MB')
      result('import.peak_rss', mb(peak), 'MB')
      result('import.load', await loadAverage(), 'load')
    })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

if (isMain(import.meta.url)) await runImportBench()
