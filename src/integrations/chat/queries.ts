import type { DbOrTx, Tx } from '../../db.ts'

export type SlackThread = { caseId: string; channelId: string; messageTs: string; threadTs: string; permalink: string | null }

const threadColumns = (db: DbOrTx) =>
  db`case_id as "caseId", channel_id as "channelId", message_ts as "messageTs", thread_ts as "threadTs", permalink`

export async function findSlackThreadOfCase(db: DbOrTx, caseId: string): Promise<SlackThread | undefined> {
  const [row]: [SlackThread?] = await db`select ${threadColumns(db)} from slack_threads where case_id = ${caseId} limit 1`
  return row
}

export async function findSlackThreadOfMessage(
  db: DbOrTx,
  channelId: string,
  messageTs: string,
): Promise<(SlackThread & { number: number }) | undefined> {
  const [row]: [(SlackThread & { number: number })?] = await db`
    select ${threadColumns(db)}, c.number from slack_threads t join cases c on c.id = t.case_id
    where t.channel_id = ${channelId} and t.message_ts = ${messageTs}`
  return row
}

export async function insertSlackThread(tx: Tx, orgId: string, t: SlackThread & { teamId: string | null }): Promise<void> {
  await tx`
    insert into slack_threads (org_id, case_id, team_id, channel_id, message_ts, thread_ts, permalink)
    values (${orgId}, ${t.caseId}, ${t.teamId}, ${t.channelId}, ${t.messageTs}, ${t.threadTs}, ${t.permalink})`
}

/**
 * One message escalated at a time: a second click on the same message (or Slack's retry) waits
 * for the first to commit and then finds its case.
 */
export async function lockSlackMessage(tx: Tx, orgId: string, channelId: string, messageTs: string): Promise<void> {
  await tx`select pg_advisory_xact_lock(hashtextextended(${`slack:${orgId}:${channelId}:${messageTs}`}, 0))`
}

export type ChatDelivery = {
  caseId: string | null
  destination: 'slack' | 'slack_thread' | 'teams'
  eventType: string
  outcome: 'sent' | 'failed'
  detail: string | null
}

export async function insertChatDelivery(tx: Tx, orgId: string, d: ChatDelivery): Promise<void> {
  await tx`
    insert into chat_deliveries (org_id, case_id, destination, event_type, outcome, detail)
    values (${orgId}, ${d.caseId}, ${d.destination}, ${d.eventType}, ${d.outcome}, ${d.detail?.slice(0, 500) ?? null})`
}

export type ChatDeliveryRow = ChatDelivery & { createdAt: Date; caseNumber: number | null }

export async function listRecentChatDeliveries(db: DbOrTx, limit = 10): Promise<ChatDeliveryRow[]> {
  return db<ChatDeliveryRow[]>`
    select d.case_id as "caseId", d.destination, d.event_type as "eventType", d.outcome, d.detail, d.created_at as "createdAt",
           c.number as "caseNumber"
    from chat_deliveries d left join cases c on c.id = d.case_id
    order by d.created_at desc, d.id desc limit ${limit}`
}
