import { randomBytes } from 'node:crypto'
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises'
import { dirname, join, parse as parsePath, resolve } from 'node:path'
import { EmbeddedError, type SystemUser } from './binaries.ts'

// Files in DATA_DIR (or in a scratch server's temporary directory).

export const CLUSTER = 'postgres' // DATA_DIR/postgres: the cluster (owned by the postgres user when run as root)
export const OWNER_PASSWORD = 'password' // the owner role's password, 0600
export const SUPERUSER_PASSWORD = 'superuser-password' // the cluster superuser's password, 0600
export const SERVER_LOG = 'postgres.log'

export async function exists(path: string): Promise<boolean> {
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
export async function prepareDataDir(dir: string, user: SystemUser): Promise<void> {
  await mkdir(dirname(dir), { recursive: true }) // parents as any other new directory
  await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error
  })
  await checkReachable(dir, user)
  if (user) await chmod(dir, 0o711)
}

/** A generated secret kept in a 0600 file; several processes starting at once agree on one. */
export async function secretFile(path: string): Promise<string> {
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
export async function refuseLegacyPGlite(dir: string): Promise<void> {
  if (!(await exists(join(pgliteDir(dir), 'PG_VERSION')))) return
  throw new EmbeddedError(
    `${pgliteDir(dir)} holds the PGlite database of an earlier version of the desk; carry its data over with \`npm install --no-save @electric-sql/pglite@0.5.14 && npx desk import-pglite\` (README, "Moving from PGlite"), or move it away to start empty`,
  )
}
