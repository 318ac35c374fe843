import type { Db, DbOrTx } from '../db.ts'
import type { Env } from '../env.ts'
import { postCheckpoint } from './checkpoint-delivery.ts'
import { checkpointKey, takeCheckpoint } from './checkpoint.ts'

// With AUDIT_CHECKPOINT_URL set, every org's chain head leaves the database once a day without
// anyone remembering to run `desk audit checkpoint --post`. What a day's checkpoint cannot
// cover is what was written after it; more often needs the command on a shorter cron.

export type CheckpointPost =
  { orgId: string; day: string; status: 'posted'; seq: number } | { orgId: string; day: string; status: 'failed'; reason: string }

const maxPostAttempts = 5
const postsPerTick = 20
const postConcurrency = 4

/**
 * Opens today's (UTC) row for each org and posts the checkpoints still due, a few per tick. The
 * row is the claim: SKIP LOCKED and a short lease keep two schedulers off the same org, and a
 * refused post waits a while (five minutes per attempt) before the next tick tries it again.
 */
export async function postDailyCheckpoints(
  db: Db,
  env: Pick<Env, 'AUDIT_CHECKPOINT_URL' | 'LINK_SECRET'>,
  now: Date,
  orgIds: string[] | null,
  log: (line: string) => void,
): Promise<CheckpointPost[]> {
  const url = env.AUDIT_CHECKPOINT_URL
  if (!url) return []
  const day = now.toISOString().slice(0, 10)
  await openCheckpointDay(db, day, orgIds)
  const due = await claimDueCheckpointPosts(db, day, orgIds)
  if (due.length === 0) return []
  const key = await checkpointKey(db, env.LINK_SECRET)
  const posts: CheckpointPost[] = []
  // A few at a time: each is mostly waiting on the URL, and a slow one must not hold the tick.
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(postConcurrency, due.length) }, async () => {
      while (next < due.length) {
        const org = due[next++]!
        const result = await takeAndPost(db, key, url, org)
        if (result.ok) {
          await recordCheckpointPosted(db, org.id, day, result.seq, result.hash)
          posts.push({ orgId: org.id, day, status: 'posted', seq: result.seq })
        } else {
          log(`audit checkpoint of ${org.slug} for ${day} not posted (attempt ${org.attempts}/${maxPostAttempts}): ${result.reason}`)
          await recordCheckpointFailure(db, org.id, day, result.reason, org.attempts)
          posts.push({ orgId: org.id, day, status: 'failed', reason: result.reason })
        }
      }
    }),
  )
  return posts
}

async function takeAndPost(db: Db, key: CryptoKey, url: string, org: { id: string; slug: string }) {
  const taken = await takeCheckpoint(db, key, org)
  if (!taken.ok) return taken
  const sent = await postCheckpoint(url, taken.checkpoint)
  return sent.ok ? { ok: true as const, seq: taken.checkpoint.seq, hash: taken.checkpoint.hash } : sent
}

async function openCheckpointDay(db: DbOrTx, day: string, orgIds: string[] | null): Promise<void> {
  await db`
    insert into audit_checkpoint_posts (org_id, day)
    select o.id, ${day}::date from orgs o
    where not exists (select 1 from audit_checkpoint_posts p where p.org_id = o.id and p.day = ${day}::date)
      ${orgIds ? db`and o.id = any(${orgIds}::uuid[])` : db``}
    on conflict do nothing`
}

async function claimDueCheckpointPosts(db: DbOrTx, day: string, orgIds: string[] | null) {
  return db<{ id: string; slug: string; attempts: number }[]>`
    update audit_checkpoint_posts p set attempts = p.attempts + 1, claimed_until = now() + interval '2 minutes'
    from (
      select org_id from audit_checkpoint_posts
      where day = ${day}::date and posted_at is null and attempts < ${maxPostAttempts}
        and (claimed_until is null or claimed_until < now())
        ${orgIds ? db`and org_id = any(${orgIds}::uuid[])` : db``}
      order by org_id
      limit ${postsPerTick}
      for update skip locked) due
    join orgs o on o.id = due.org_id
    where p.org_id = due.org_id and p.day = ${day}::date
    returning o.id, o.slug, p.attempts`
}

async function recordCheckpointPosted(db: DbOrTx, orgId: string, day: string, seq: number, hash: string): Promise<void> {
  await db`
    update audit_checkpoint_posts set posted_at = now(), seq = ${seq}, hash = ${hash}, claimed_until = null, last_error = null
    where org_id = ${orgId} and day = ${day}::date`
}

async function recordCheckpointFailure(db: DbOrTx, orgId: string, day: string, error: string, attempts: number): Promise<void> {
  await db`
    update audit_checkpoint_posts set last_error = ${error.slice(0, 2000)}, claimed_until = now() + make_interval(mins => ${5 * attempts})
    where org_id = ${orgId} and day = ${day}::date`
}
