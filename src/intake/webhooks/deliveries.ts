import type { Db } from '../../db.ts'
import { AppError } from '../../http/errors.ts'
import type { Delivered } from './receive.ts'

export type DeliveryKey = { provider: string; deliveryId: string; emailId?: string | null }

type FirstOutcome = Pick<Delivered, 'status' | 'case' | 'reason'>
type Claim = { kind: 'claimed'; id: string } | { kind: 'done'; outcome: FirstOutcome } | { kind: 'busy' }

// A claim left pending this long belongs to a request that died mid-way (crash, timeout): the
// provider's retry may take it over. Shorter than any provider's first retry delay is not needed.
const abandonedAfter = '2 minutes'

/**
 * Claims a provider delivery before doing any work for it. The unique constraints decide, not a
 * prior read, so concurrent redeliveries across any number of processes get one winner.
 * Owner-level: see sql/00004_inbound.sql for why this table is not a tenant table.
 */
async function claimDelivery(db: Db, key: DeliveryKey): Promise<Claim> {
  const emailId = key.emailId ?? null
  const [inserted]: [{ id: string }?] = await db`
    insert into inbound_deliveries (provider, delivery_id, email_id)
    values (${key.provider}, ${key.deliveryId}, ${emailId})
    on conflict do nothing
    returning id`
  if (inserted) return { kind: 'claimed', id: inserted.id }
  const [existing]: [{ id: string; state: string; outcome: FirstOutcome | null; abandoned: boolean }?] = await db`
    select id, state, outcome, claimed_at < now() - ${abandonedAfter}::interval as abandoned
    from inbound_deliveries
    where provider = ${key.provider} and (delivery_id = ${key.deliveryId} or email_id = ${emailId})
    order by state = 'done' desc
    limit 1`
  if (!existing) return { kind: 'busy' } // released between our insert and read: the retry wins
  if (existing.state === 'done') return { kind: 'done', outcome: existing.outcome! }
  if (!existing.abandoned) return { kind: 'busy' }
  const [taken] = await db`
    update inbound_deliveries set claimed_at = now()
    where id = ${existing.id} and state = 'pending' and claimed_at < now() - ${abandonedAfter}::interval
    returning id`
  return taken ? { kind: 'claimed', id: existing.id } : { kind: 'busy' }
}

async function completeDelivery(db: Db, id: string, outcome: Delivered) {
  const { rawId, ...first } = outcome
  await db`
    update inbound_deliveries
    set state = 'done', completed_at = now(), raw_id = ${rawId}, outcome = ${db.json(first as never)}
    where id = ${id}`
}

async function releaseDelivery(db: Db, id: string) {
  await db`delete from inbound_deliveries where id = ${id} and state = 'pending'`
}

/**
 * Runs `work` once per provider delivery. A replay of a finished delivery is answered from its
 * first outcome (as `duplicate` of the same case) without touching the message again; a failure
 * releases the claim so the provider's retry can succeed (nothing is lost). A replay that arrives
 * while the first is still at work is refused (409), or, with `waitMs`, waits that long for the
 * first outcome and is answered from it (503 if it does not come: the sender retries).
 */
export async function oncePerDelivery(
  db: Db,
  key: DeliveryKey,
  work: () => Promise<Delivered>,
  options: { waitMs?: number } = {},
): Promise<FirstOutcome> {
  const deadline = Date.now() + (options.waitMs ?? 0)
  let claim = await claimDelivery(db, key)
  while (claim.kind === 'busy' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    claim = await claimDelivery(db, key)
  }
  if (claim.kind === 'busy') {
    const message = 'This delivery is being processed right now; retry shortly.'
    throw options.waitMs ? new AppError('UNAVAILABLE', message) : new AppError('CONFLICT', message)
  }
  if (claim.kind === 'done') {
    const first = claim.outcome
    return first.status === 'quarantined' ? first : { status: 'duplicate', case: first.case }
  }
  try {
    const outcome = await work()
    await completeDelivery(db, claim.id, outcome)
    return outcome
  } catch (error) {
    await releaseDelivery(db, claim.id).catch(() => {})
    throw error
  }
}
