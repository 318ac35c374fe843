import type { Db } from '../db.ts'
import { countOrgs, insertOrg, insertUser } from './queries.ts'

export const demoOrg = {
  slug: 'demo',
  name: 'Demo Company',
  inboundAddresses: ['escalations@example.com'],
  executiveForwarders: ['ceo@example.com'],
}

/**
 * On an empty database, creates the demo org with its admin (who is also an approver). Callers
 * ask only when DESK_DEMO is on: by default on the embedded database, not with DATABASE_URL.
 */
export async function ensureDemoOrg(db: Db): Promise<boolean> {
  return (await db.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(7433002)`
    if ((await countOrgs(tx)) > 0) return false
    const org = await insertOrg(tx, demoOrg)
    await insertUser(tx, org.id, { email: 'admin@example.com', name: 'Demo Admin', role: 'admin' })
    return true
  })) as boolean
}
