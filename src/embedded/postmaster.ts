import { spawn } from 'node:child_process'
import { open, readFile, readlink, realpath, rename, rm, stat } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { asUser, lastLines, postgresBinaries, postgresEnv, postgresSystemUser, runBinary } from './binaries.ts'

// The postmaster: started detached on a free loopback port, found again through its lock file,
// stopped in order.

export const WAIT_MS = 60_000 // crash recovery on start, or a zombie postmaster waiting to be reaped
const LOG_ROTATE_BYTES = 4 * 1024 * 1024

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

export const urlFor = (user: string, password: string, port: number, database: string) =>
  `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`

export type Postmaster = { pid: number; port: number }

type LockFile = { pid: number; port: number; status: string }

/** PostgreSQL's postmaster.pid: line 1 the pid, line 4 the port, line 8 starting/ready/stopping. */
async function readLockFile(dir: string): Promise<LockFile | null> {
  const text = await readFile(join(dir, 'postmaster.pid'), 'utf8').catch(() => null)
  const lines = text?.split('\n') ?? []
  const pid = Number(lines[0])
  if (!Number.isInteger(pid) || pid <= 0) return null // absent, or being written this instant
  return { pid, port: Number(lines[3]), status: (lines[7] ?? '').trim() }
}

type ProcessState = 'running' | 'gone' | 'zombie' | 'other'

/**
 * Whether pid is the postmaster of the cluster in dir. A killed postmaster whose parent has not
 * reaped it yet is a zombie (it still answers kill 0); a pid reused by an unrelated process is
 * 'other'. On Linux the postmaster's working directory is its cluster, which tells them apart.
 */
async function processState(pid: number, dir: string): Promise<ProcessState> {
  try {
    process.kill(pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return 'gone'
  }
  if (process.platform !== 'linux') return 'running'
  const status = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null)
  if (status === null) return 'gone'
  if (/^\d+ \(.*\) Z/.test(status)) return 'zombie'
  const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => null)
  if (cwd === null) return 'running' // not ours to inspect: assume it is what the file says
  return cwd === (await realpath(dir)) ? 'running' : 'other'
}

/** A free loopback port: the preferred one when it is free, else any. */
function freePort(preferred = 0): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.once('error', (error) => (preferred ? freePort().then(done, fail) : fail(error)))
    server.listen(preferred, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => done(port))
    })
  })
}

/** Keeps the log file beside the cluster from growing without end across restarts. */
async function rotateLog(file: string): Promise<void> {
  const size = await stat(file).then(
    (s) => s.size,
    () => 0,
  )
  if (size > LOG_ROTATE_BYTES) await rename(file, `${file}.1`)
}

/**
 * Starts a postmaster on dir, listening on a free loopback port only (no Unix socket), with its
 * output appended to logFile. Detached and unreferenced: it outlives this process when another
 * one still holds a lease, and Ctrl-C in this terminal does not reach it (our shutdown stops it
 * in order). Resolves 'taken' when another postmaster holds the directory.
 */
export async function startPostmaster(
  dir: string,
  logFile: string,
  settings: Record<string, string> = {},
  preferredPort = 0,
): Promise<Postmaster | 'taken'> {
  const bin = await postgresBinaries()
  const user = await postgresSystemUser()
  await rotateLog(logFile)
  const log = await open(logFile, 'a', 0o600)
  const port = await freePort(preferredPort)
  const flags = Object.entries({ listen_addresses: '127.0.0.1', unix_socket_directories: '', ...settings }).flatMap(([name, value]) => [
    '-c',
    `${name}=${value}`,
  ])
  let exited = false
  try {
    const child = spawn(bin.postgres, ['-D', dir, '-p', String(port), ...flags], {
      ...asUser(user),
      env: postgresEnv(),
      detached: true,
      windowsHide: true,
      stdio: ['ignore', log.fd, log.fd],
    })
    child.once('exit', () => (exited = true))
    child.once('error', () => (exited = true))
    child.unref()
    for (const deadline = Date.now() + WAIT_MS; Date.now() < deadline; await sleep(20)) {
      const lock = await readLockFile(dir)
      if (lock && lock.pid === child.pid && lock.status === 'ready') return { pid: lock.pid, port }
      if (exited) break
    }
    if (!exited) child.kill('SIGQUIT')
  } finally {
    await log.close()
  }
  const lock = await readLockFile(dir)
  if (lock && (await processState(lock.pid, dir)) === 'running') return 'taken'
  const tail = lastLines(await readFile(logFile, 'utf8').catch(() => ''))
  throw new Error(`PostgreSQL did not start (${tail || 'no output'}); its log is ${logFile}`)
}

/** A fast shutdown (sessions ended, a checkpoint written), waited for; immediate if it hangs. */
export async function stopPostmaster(dir: string, pid: number): Promise<void> {
  if (process.platform === 'win32') {
    const bin = await postgresBinaries()
    await runBinary(bin.pg_ctl, ['stop', '-D', dir, '-m', 'fast', '-w', '-t', '60'], null)
    return
  }
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name)
    } catch {}
  }
  signal('SIGINT')
  for (let waited = 0; ; waited += 20) {
    if ((await processState(pid, dir)) !== 'running' && (await readLockFile(dir))?.pid !== pid) return
    if (waited === 30_000) signal('SIGQUIT')
    if (waited > 40_000) throw new Error(`PostgreSQL (pid ${pid}) does not stop; see ${dir}`)
    await sleep(20)
  }
}

/**
 * The postmaster serving dir, starting one when none runs. A lock file left by a postmaster
 * killed with -9 is stale: PostgreSQL itself takes over a lock file whose pid is gone (and
 * refuses while its old backends still hold shared memory: we try again until they have exited).
 * One whose pid now belongs to an unrelated process is removed. After a crash the new
 * postmaster takes the old port when it is free, so desk processes still running reconnect.
 */
export async function runningPostmaster(dir: string, logFile: string): Promise<Postmaster> {
  let failures = 0
  let lastPort = 0
  for (const deadline = Date.now() + WAIT_MS; ; await sleep(50)) {
    if (Date.now() > deadline) throw new Error(`PostgreSQL in ${dir} neither runs nor starts; see ${logFile}`)
    const lock = await readLockFile(dir)
    if (lock) {
      lastPort = lock.port || lastPort
      const state = await processState(lock.pid, dir)
      if (state === 'running' && lock.status === 'ready') return { pid: lock.pid, port: lock.port }
      if (state === 'running' || state === 'zombie') continue // starting, stopping, or not yet reaped
      if (state === 'other') await rm(join(dir, 'postmaster.pid'), { force: true })
    }
    try {
      const started = await startPostmaster(dir, logFile, {}, lastPort)
      if (started !== 'taken') return started
    } catch (error) {
      // The port taken in between, or a killed postmaster's backends still exiting: brief.
      if (++failures === 5) throw error
      await sleep(200 * failures)
    }
  }
}
