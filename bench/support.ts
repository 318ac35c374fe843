// Shared helpers for the benchmarks: a throwaway database per bench, result lines, percentiles
// and an RSS sampler. Every bench prints its figures as `name: value unit`, one per line, on
// stdout; anything else (progress, plans) goes to stderr.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { createApp } from '../src/app.ts'
import { connect, type Db } from '../src/db.ts'
import { migrate } from '../src/migrate.ts'

export const repoRoot = fileURLToPath(new URL('../', import.meta.url))

/** The server the benches create their databases on (trust auth, like the tests). */
const serverBase = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'

function serverUrl(database: string): string {
  const url = new URL(serverBase)
  url.pathname = `/${database}`
  return url.toString()
}

export type BenchDatabase = { name: string; url: string; db: Db; drop: () => Promise<void> }

/** Creates `desk_bench_<bench>_<random>`, applies every migration, and returns a pool on it. */
export async function createBenchDatabase(bench: string, options: { max?: number } = {}): Promise<BenchDatabase> {
  const name = `desk_bench_${bench}_${randomBytes(4).toString('hex')}`
  const admin = connect(serverUrl('postgres'), { max: 1 })
  try {
    await admin.unsafe(`create database "${name}"`)
  } finally {
    await admin.end()
  }
  const url = serverUrl(name)
  const db = connect(url, { max: options.max ?? 4 })
  await migrate(db)
  let dropped = false
  return {
    name,
    url,
    db,
    drop: async () => {
      if (dropped) return
      dropped = true
      await db.end({ timeout: 5 })
      const again = connect(serverUrl('postgres'), { max: 1 })
      try {
        await again.unsafe(`drop database if exists "${name}" with (force)`)
      } finally {
        await again.end()
      }
    },
  }
}

/** One result line, exactly `name: value unit`. */
export function result(name: string, value: number, unit: string): void {
  process.stdout.write(`${name}: ${format(value)} ${unit}\n`)
}

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (Number.isInteger(value)) return String(value)
  const abs = Math.abs(value)
  if (abs >= 100) return String(Math.round(value))
  if (abs >= 10) return value.toFixed(1)
  if (abs >= 1) return value.toFixed(2)
  return value.toPrecision(2)
}

/** Progress and diagnostics: stderr, so stdout holds only result lines. */
export function note(message: string): void {
  process.stderr.write(`  ${message}\n`)
}

/** Nearest-rank percentile of unsorted samples (p in 0..100). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1]!
}

/** One GET through the app in-process (`createApp(…).request`) as the cookie's session, timed
 * to the end of its body; throws unless it answers 200. */
export async function timedGet(
  app: Pick<ReturnType<typeof createApp>, 'request'>,
  path: string,
  cookie: string,
): Promise<{ ms: number; body: string }> {
  const t0 = performance.now()
  const response = await app.request(path, { headers: { cookie } })
  const body = await response.text()
  const ms = performance.now() - t0
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${body.slice(0, 300)}`)
  return { ms, body }
}

export const mb = (bytes: number) => bytes / (1024 * 1024)

/**
 * Samples process.memoryUsage().rss every `everyMs` while running; `stop()` returns the peak
 * (the sample taken at stop included). Timers fire whenever the event loop is free, which during
 * the database-bound work measured here is often.
 */
export function sampleRss(everyMs = 20): { stop: () => number } {
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, everyMs)
  return {
    stop: () => {
      clearInterval(timer)
      return Math.max(peak, process.memoryUsage().rss)
    },
  }
}

/** Runs `fn` and always drops the database afterwards, even when the bench fails. */
export async function withBenchDatabase<T>(
  bench: string,
  fn: (database: BenchDatabase) => Promise<T>,
  options: { max?: number } = {},
): Promise<T> {
  const database = await createBenchDatabase(bench, options)
  const analyzer = await analyzeAsAutovacuumWould(database.db)
  try {
    return await fn(database)
  } finally {
    await analyzer.stop()
    await database.drop()
  }
}

/**
 * A stock PostgreSQL analyzes a table once 50 rows plus 10 % of it have changed since the last
 * analyze (autovacuum_analyze_threshold, autovacuum_analyze_scale_factor), checked every
 * autovacuum_naptime. A server with autovacuum off (CI machines often are) never does, and the
 * plans each connection caches while the bench database is a few rows old stay (sequential
 * scans of what grows to thousands of rows): a different database from the one the figures are
 * about. On such a server this does what autovacuum would, from this process, every 5 s
 * (BENCH_AUTOVACUUM=off to measure without it).
 */
async function analyzeAsAutovacuumWould(db: Db): Promise<{ stop: () => Promise<void> }> {
  const [{ autovacuum }] = await db<{ autovacuum: string }[]>`select current_setting('autovacuum') as autovacuum`
  if (autovacuum === 'on' || process.env.BENCH_AUTOVACUUM === 'off') return { stop: async () => {} }
  note('this PostgreSQL runs with autovacuum off: the bench analyzes its database as autovacuum would (BENCH_AUTOVACUUM=off not to)')
  let running: Promise<void> = Promise.resolve()
  let stopped = false
  const pass = async () => {
    const due = await db<{ name: string }[]>`
      select format('%I.%I', t.schemaname, t.relname) as name from pg_stat_user_tables t join pg_class c on c.oid = t.relid
      where t.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)`
    for (const { name } of due) if (!stopped) await db.unsafe(`analyze ${name}`)
  }
  const timer = setInterval(() => {
    running = running.then(pass).catch((error: unknown) => note(`analyze as autovacuum would: ${String(error)}`))
  }, 5_000)
  timer.unref()
  return {
    stop: async () => {
      stopped = true
      clearInterval(timer)
      await running
    },
  }
}

/**
 * `BENCH_BEFORE=<checkout>` (a copy of an older tree with its node_modules, e.g. /tmp/base): runs
 * that checkout's own `bench/<bench>.ts` in a child process first, same machine and hour, and
 * prints its result lines as `<bench>.before.*` next to this tree's `<bench>.*`.
 */
export async function runBefore(bench: string): Promise<void> {
  const checkout = process.env.BENCH_BEFORE
  if (!checkout) return
  note(`before: ${checkout}/bench/${bench}.ts`)
  const child = spawn(process.execPath, ['--import', 'tsx', `${checkout}/bench/${bench}.ts`], {
    cwd: checkout,
    // Without BENCH_BEFORE, so a checkout that has this function runs only its own bench.
    env: { ...process.env, BENCH_BEFORE: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk))
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  for (const line of output.split('\n')) {
    if (line.startsWith(`${bench}.`)) process.stdout.write(`${bench}.before.${line.slice(bench.length + 1)}\n`)
  }
  if (code !== 0) note(`before: exited with ${code}`)
}

/** True when this module is the process's entry point (each bench also runs on its own). */
export function isMain(moduleUrl: string): boolean {
  return Boolean(process.argv[1]) && fileURLToPath(moduleUrl) === process.argv[1]
}

export type Server = { child: ChildProcess; url: string; stop: () => Promise<void> }

/**
 * The real server (`npm start`'s entry) on the given environment; resolves once it is ready.
 * BENCH_PROF=<dir>: each server writes a V8 CPU profile of its main thread there when it stops.
 */
export function startServer(env: Record<string, string>, timeoutMs = 60_000): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_PROF] : []), '--import', 'tsx', 'src/index.ts'],
      {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    let ready = false
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the server did not start in ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    const onData = (chunk: Buffer) => {
      if (output.length < 64 * 1024) output += chunk
      const match = !ready && /ready at (http:\/\/\S+)/.exec(output)
      if (match) {
        ready = true
        clearTimeout(timer)
        resolve({
          child,
          url: match[1]!,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done()
              const force = setTimeout(() => child.kill('SIGKILL'), 10_000)
              child.once('exit', () => {
                clearTimeout(force)
                done()
              })
              child.kill('SIGTERM')
            }),
        })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('exit', (code) => {
      clearTimeout(timer)
      if (!ready) reject(new Error(`the server exited with ${code}:\n${output}`))
    })
  })
}

/** Resident and peak resident memory of a process, from /proc (Linux). */
export async function memoryOf(pid: number): Promise<{ rss: number; hwm: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') }
}
