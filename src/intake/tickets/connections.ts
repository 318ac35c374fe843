// An organization's helpdesk connections: which helpdesks may post tickets, the secret each
// post is checked with (sealed), and how each one's priorities read as a severity.
import { recordAudit, userActor } from '../../audit/audit.ts'
import { randomToken } from '../../auth/crypto.ts'
import { withOrg, type Db, type Tx } from '../../db.ts'
import type { Env } from '../../env.ts'
import { sealSecret } from '../../secrets/sealed.ts'
import { defaultPriorityMap, priorityMapSchema, type PriorityMap, type Provider } from './terms.ts'

export type Connection = { provider: Provider; secretSealed: string; priorityMap: PriorityMap; createdAt: Date; lastTicketAt: Date | null }

/** Helpdesks that hand out the secret themselves; for the others the desk makes one up. */
export const providerMakesSecret = (provider: Provider) => provider === 'zendesk' || provider === 'intercom'

export async function listConnections(tx: Tx): Promise<Connection[]> {
  const rows = await tx<(Connection & { priorityMap: unknown })[]>`
    select provider, secret_sealed as "secretSealed", priority_map as "priorityMap", created_at as "createdAt",
           last_ticket_at as "lastTicketAt"
    from helpdesk_connections order by provider`
  return rows.map((r) => ({ ...r, priorityMap: priorityMapSchema.parse(r.priorityMap ?? defaultPriorityMap) }))
}

export async function getConnection(tx: Tx, provider: Provider): Promise<Connection | undefined> {
  return (await listConnections(tx)).find((c) => c.provider === provider)
}

export type SavedConnection = { secret: string | null }

/**
 * Connects a helpdesk, or changes its map; a secret given (or, for the helpdesks that do not
 * make one, generated on first connect) replaces the stored one and is returned to be shown once.
 */
export async function saveConnection(
  db: Db,
  env: Env,
  orgId: string,
  admin: { id: string },
  input: { provider: Provider; secret: string; priorityMap: PriorityMap },
): Promise<SavedConnection> {
  const existing = await withOrg(db, orgId, (tx) => getConnection(tx, input.provider))
  const generated = !input.secret && !existing && !providerMakesSecret(input.provider) ? randomToken(24) : null
  const secret = input.secret || generated
  if (!secret && !existing) throw new Error(`a ${input.provider} connection needs its secret`)
  // Sealed before the transaction: the sealing key is read through the pool.
  const sealed = secret ? await sealSecret(db, env, orgId, secret) : null
  await withOrg(db, orgId, async (tx) => {
    await tx`
      insert into helpdesk_connections (org_id, provider, secret_sealed, priority_map, created_by)
      values (${orgId}, ${input.provider}, ${sealed ?? existing!.secretSealed}, ${tx.json(input.priorityMap)}, ${admin.id})
      on conflict (org_id, provider) do update
        set secret_sealed = excluded.secret_sealed, priority_map = excluded.priority_map`
    await recordAudit(tx, orgId, {
      actor: userActor(admin),
      action: existing ? 'helpdesk.update' : 'helpdesk.connect',
      details: { provider: input.provider, secretChanged: Boolean(sealed), priorityMap: input.priorityMap },
    })
  })
  return { secret: generated }
}

export async function removeConnection(tx: Tx, orgId: string, admin: { id: string }, provider: Provider): Promise<boolean> {
  const rows = await tx`delete from helpdesk_connections where provider = ${provider} returning provider`
  if (!rows.length) return false
  await recordAudit(tx, orgId, { actor: userActor(admin), action: 'helpdesk.disconnect', details: { provider } })
  return true
}
