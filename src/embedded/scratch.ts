import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { postgresSystemUser } from './binaries.ts'
import { ensureCluster } from './cluster.ts'
import { CLUSTER, prepareDataDir, SERVER_LOG } from './data-dir.ts'
import { startPostmaster, stopPostmaster, urlFor } from './postmaster.ts'

// A throwaway server (the test suite's).

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
