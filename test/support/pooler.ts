import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { connect as netConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { postgresSystemUser } from '../../src/embedded.ts'
import { freePort } from './process.ts'

// PgBouncer in transaction mode in front of the test server: what Supabase's pooler (port 6543),
// Neon's pooled host and most managed poolers do. A server connection belongs to a client only
// for one transaction, so nothing a session sets (SET, session advisory locks, LISTEN, named
// prepared statements) survives to the client's next statement.

export type Pooler = {
  /** The pooler's URL for a database on the test server (same user and password). */
  url: (database: string) => string
  port: number
  stop: () => Promise<void>
  log: () => Promise<string>
}

const pgbouncerBinary = () => ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((path) => existsSync(path))

/** True when Debian's pgbouncer package is installed (`.ci/run` installs it). */
export const hasPgBouncer = () => pgbouncerBinary() !== undefined

const quote = (value: string) => `"${value.replaceAll('"', '""')}"`

/**
 * Starts pgbouncer on a free port in front of the server that `serverUrl` names, for every
 * database on it, in transaction pooling mode. Clients log in with the server URL's user and
 * password: SCRAM when it has one (as Supabase's pooler asks), trust when the server trusts.
 */
export async function startPooler(serverUrl: string, options: { poolSize?: number } = {}): Promise<Pooler> {
  const binary = pgbouncerBinary()
  if (!binary) throw new Error('pgbouncer is not installed (apt-get install -y pgbouncer)')
  const server = new URL(serverUrl)
  const user = decodeURIComponent(server.username || 'postgres')
  const password = decodeURIComponent(server.password)
  const dir = await mkdtemp(join(tmpdir(), 'desk-pgbouncer-'))
  const port = await freePort()
  const logFile = join(dir, 'pgbouncer.log')
  await writeFile(join(dir, 'userlist.txt'), `${quote(user)} ${quote(password)}\n`, { mode: 0o600 })
  const poolSize = options.poolSize ?? 60
  await writeFile(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      `auth_type = ${password ? 'scram-sha-256' : 'trust'}`,
      `auth_file = ${join(dir, 'userlist.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${poolSize}`,
      'max_client_conn = 2000',
      `logfile = ${logFile}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      'log_connections = 0',
      'log_disconnections = 0',
      '',
    ].join('\n'),
  )
  // PgBouncer refuses to run as root; as root (CI) it runs as the postgres system user.
  const systemUser = await postgresSystemUser()
  if (systemUser) {
    for (const file of ['', 'userlist.txt', 'pgbouncer.ini']) await chown(join(dir, file), systemUser.uid, systemUser.gid)
  }
  const args = [...(systemUser ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')]
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const atExit = () => {
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  process.once('exit', atExit)
  const log = () => readFile(logFile, 'utf8').catch(() => '')
  try {
    await waitForPort(port, child, 10_000)
  } catch (error) {
    atExit()
    process.off('exit', atExit)
    throw new Error(`pgbouncer did not start: ${(error as Error).message}\n${stderr}${await log()}`)
  }
  return {
    port,
    url: (database) => {
      const url = new URL(serverUrl)
      url.port = String(port)
      url.hostname = '127.0.0.1'
      url.pathname = `/${database}`
      return url.toString()
    },
    log,
    stop: async () => {
      process.off('exit', atExit)
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGINT') // PgBouncer's "safe shutdown": waits for open transactions
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))])
        if (child.exitCode === null) child.kill('SIGKILL')
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
}

function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`exited with code ${child.exitCode}`))
      const socket = netConnect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve()
      })
      socket.once('error', () => {
        socket.destroy()
        if (Date.now() > deadline) reject(new Error(`nothing listens on port ${port}`))
        else setTimeout(attempt, 50)
      })
    }
    attempt()
  })
}
