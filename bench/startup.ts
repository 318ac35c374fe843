// `startup`: `npm start` with no DATABASE_URL, from the spawn to the first 200 from /healthz.
// Cold: an empty DATA_DIR (initdb, the owner role, every migration, the demo org). Warm: the
// same directory again, after a clean stop (the PostgreSQL cluster is there, nothing to
// migrate). Each start is stopped as Ctrl-C stops it (SIGINT to its process group: npm and the
// desk), which also stops its PostgreSQL; the stop is timed too, until npm, the desk and
// PostgreSQL are all gone. Medians of COLD_RUNS and WARM_RUNS starts.
import { spawn } from 'node:child_process'
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './ports.ts'
import { isMain, note, percentile, repoRoot, result } from './support.ts'

const COLD_RUNS = 3
const WARM_RUNS = 3
const DEADLINE_MS = 60_000
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

type Start = { readyMs: number; stopMs: number }

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

const lockFile = (dataDir: string) => readFile(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').catch(() => null)

/** One `npm start` on dataDir: time to healthy, then from Ctrl-C until everything has exited. */
async function timeStart(dataDir: string): Promise<Start> {
  const port = await freePort()
  const started = performance.now()
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const child = spawn(npm, ['start'], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, PORT: String(port), DESK_DEMO: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // a process group of its own, as a terminal gives it
  })
  let output = ''
  child.stdout.on('data', (d) => (output += d))
  child.stderr.on('data', (d) => (output += d))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`)
      if (performance.now() - started > DEADLINE_MS) throw new Error(`not healthy after ${DEADLINE_MS} ms:\n${output}`)
      const health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null)
      if (health?.status === 200) break
      await health?.body?.cancel()
      await sleep(10)
    }
    const readyMs = performance.now() - started
    const stopping = performance.now()
    process.kill(-child.pid!, 'SIGINT')
    await exited
    while (groupAlive(child.pid!) || (await lockFile(dataDir))) {
      if (performance.now() - stopping > DEADLINE_MS) throw new Error(`still running ${DEADLINE_MS} ms after Ctrl-C:\n${output}`)
      await sleep(5)
    }
    return { readyMs, stopMs: performance.now() - stopping }
  } finally {
    if (groupAlive(child.pid!)) process.kill(-child.pid!, 'SIGKILL')
  }
}

export async function benchStartup(): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'desk-bench-startup-'))
  await chmod(home, 0o755) // as root, PostgreSQL runs as the postgres user and must pass through
  try {
    const cold: Start[] = []
    const warm: Start[] = []
    for (let i = 0; i < COLD_RUNS; i++) {
      const dataDir = join(home, `cold-${i}`)
      cold.push(await timeStart(dataDir))
      note(`cold ${i + 1}: healthy in ${Math.round(cold.at(-1)!.readyMs)} ms, stopped in ${Math.round(cold.at(-1)!.stopMs)} ms`)
      if (i === 0) {
        for (let j = 0; j < WARM_RUNS; j++) {
          warm.push(await timeStart(dataDir))
          note(`warm ${j + 1}: healthy in ${Math.round(warm.at(-1)!.readyMs)} ms, stopped in ${Math.round(warm.at(-1)!.stopMs)} ms`)
        }
      }
    }
    result(
      'startup-cold',
      percentile(
        cold.map((s) => s.readyMs),
        50,
      ),
      'ms',
    )
    result(
      'startup-warm',
      percentile(
        warm.map((s) => s.readyMs),
        50,
      ),
      'ms',
    )
    result(
      'startup-stop',
      percentile(
        [...cold, ...warm].map((s) => s.stopMs),
        50,
      ),
      'ms',
    )
  } finally {
    await rm(home, { recursive: true, force: true })
  }
}

if (isMain(import.meta.url)) await benchStartup()
