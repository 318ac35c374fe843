import { connect, isDatabaseUnavailable, type Db } from '../db.ts'
import { stopPostmaster, type Postmaster } from './postmaster.ts'

// Leases: who uses the server, and who stops it.

const LEASE_KEY = 7433100 // advisory lock: shared while a process uses the server, exclusive to stop it

export type Lease = { sql: Db; postmaster: Postmaster; backend: number }

/**
 * A session-level shared advisory lock held on a connection of its own for as long as this
 * process uses the server. Taken before anything else: a process stopping the server holds the
 * lock exclusively, so a newcomer waits here and sees the server go, instead of being cut off
 * halfway through its work. Resolves null when the server went away meanwhile; onLost is called
 * if the connection of a lease once held closes.
 */
export async function takeLease(url: string, postmaster: Postmaster, onLost: () => void): Promise<Lease | null> {
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
export async function releaseLease(lease: Lease, dir: string): Promise<void> {
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
