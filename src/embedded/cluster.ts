import { randomBytes } from 'node:crypto'
import { spawn } from 'node:child_process'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  asUser,
  EmbeddedError,
  giveTo,
  lastLines,
  postgresBinaries,
  postgresEnv,
  postgresSystemUser,
  runBinary,
  type Binaries,
  type SystemUser,
} from './binaries.ts'
import { exists } from './data-dir.ts'

// The cluster: created once, atomically, and checked against the binaries' major version.

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
