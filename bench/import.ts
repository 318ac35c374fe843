// `import`: a 50,000-row cases CSV through importCases (src/imports/cases.ts), the function behind
// `desk import` and the portal upload: wall time and the process's peak RSS while it runs.
import { createReadStream } from 'node:fs'
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { importCases } from '../src/imports/cases.ts'
import { findOrgBySlug } from '../src/orgs/queries.ts'
import { seedAccounts, seedOrgs, seedUsers } from './seed.ts'
import { isMain, mb, note, result, sampleRss, withBenchDatabase } from './support.ts'

const ROWS = Number(process.env.BENCH_IMPORT_ROWS || 50_000)

const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)

/** A spreadsheet as people export them: aliased headers, mixed date formats, quoted commas. */
function csvText(rows: number, ownerSlug: string): string {
  const sources = ['CEO inbox', 'BBB', 'Lawyer', 'Regulator', 'Social media', 'Email', 'Web form']
  const severities = ['SEV-1', 'high', 'medium', 'low', '', 'P3']
  const statuses = ['', 'new', 'in progress', 'waiting_customer', 'resolved', 'closed', 'triaged']
  const lines = ['Customer,Customer Email,Subject,Description,Channel,Priority,Complaint Number,Date Received,Company,Assigned To,Status']
  for (let i = 1; i <= rows; i++) {
    const day = new Date(Date.UTC(2025, 0, 1) + (i % 400) * 86_400_000 + (i % 1440) * 60_000)
    const date =
      i % 2
        ? day.toISOString()
        : `${day.getUTCMonth() + 1}/${day.getUTCDate()}/${day.getUTCFullYear()} ${String(day.getUTCHours()).padStart(2, '0')}:${String(day.getUTCMinutes()).padStart(2, '0')}`
    lines.push(
      [
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
        .join(','),
    )
  }
  return lines.join('\r\n') + '\r\n'
}

/**
 * The import runs in one transaction (it lands whole or not at all). If it is still running at
 * BENCH_IMPORT_TIMEOUT seconds (default 150; 0 = no limit) its connection is terminated, which
 * rolls it back, so `npm run bench` stays under its 10-minute budget; the lines then say how far
 * it got and how fast each 10,000 rows went.
 */
export async function runImportBench(): Promise<void> {
  const timeoutSeconds = Number(process.env.BENCH_IMPORT_TIMEOUT ?? 150)
  const dir = await mkdtemp(join(tmpdir(), 'desk-bench-import-'))
  try {
    await withBenchDatabase('import', async ({ db, name }) => {
      const [seeded] = await seedOrgs(db, 'bench', 1)
      await seedUsers(db, seeded!.id, seeded!.slug, 10)
      await seedAccounts(db, seeded!.id, 500)
      const org = (await findOrgBySlug(db, seeded!.slug))!
      const file = join(dir, 'cases.csv')
      await writeFile(file, csvText(ROWS, org.slug))
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
      const running = importCases(db, org, () => createReadStream(file), {
        actor: { kind: 'system', id: 'bench' },
        onProgress: (stage, done) => {
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
      }
      result('import.rss_before', mb(rssBefore), 'MB')
      result('import.peak_rss', mb(peak), 'MB')
    })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

if (isMain(import.meta.url)) await runImportBench()
