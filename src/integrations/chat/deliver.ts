// Posting one chat notification (the `chat_notify` job) and the settings page's test message,
// through the same function, so a test that passes means notifications will too.
import { recordAudit, type Actor } from '../../audit/audit.ts'
import { withOrg, type Db } from '../../db.ts'
import type { Env } from '../../env.ts'
import { RetryAt, type JobHandler } from '../../jobs/runner.ts'
import { UnsealError } from '../../secrets/sealed.ts'
import { slackPayload, teamsPayload, type ChatMessage } from './message.ts'
import { insertChatDelivery } from './queries.ts'
import { loadChatSettings, openChatSecrets, slackReady, slackThreadsReady, teamsReady, type ChatSettings } from './settings.ts'
import type { ChatJob } from './sink.ts'
import { ChatSendError, postSlackMessage, postWebhook } from './transport.ts'

export const defaultSlackApiUrl = 'https://slack.com/api/'
export const slackApiUrl = (env: Pick<Env, 'SLACK_API_URL'>) => env.SLACK_API_URL ?? defaultSlackApiUrl

type Target = Pick<ChatJob, 'destination' | 'channel' | 'threadTs'>

/** Posts the message, or throws ChatSendError; false when the destination was turned off meanwhile. */
export async function deliverChatMessage(
  db: Db,
  env: Env,
  orgId: string,
  settings: ChatSettings,
  target: Target,
  message: ChatMessage,
): Promise<boolean> {
  const ready = { slack: slackReady, slack_thread: slackThreadsReady, teams: teamsReady }[target.destination]
  if (!ready(settings)) return false
  let secrets
  try {
    secrets = await openChatSecrets(db, env, orgId, settings)
  } catch (error) {
    if (error instanceof UnsealError) throw new ChatSendError(error.message, true)
    throw error
  }
  if (target.destination === 'teams') {
    await postWebhook('Teams', secrets.teamsUrl!, teamsPayload(message))
  } else if (secrets.botToken) {
    const channel = target.channel ?? settings.slackChannel
    if (!channel) throw new ChatSendError('No Slack channel is set.', true)
    await postSlackMessage(slackApiUrl(env), secrets.botToken, { channel, threadTs: target.threadTs, ...slackPayload(message) })
  } else {
    await postWebhook('Slack', secrets.webhookUrl!, slackPayload(message))
  }
  return true
}

/**
 * kind 'chat_notify': one post. Sent, or refused for good (a 4xx, an `ok: false` that would
 * repeat, the last attempt), it is recorded and done; otherwise it is retried, at Slack's or
 * Teams' Retry-After when they name one.
 */
export const chatNotifyJob: JobHandler = async (job, ctx) => {
  const payload = job.payload as ChatJob
  const settings = await withOrg(ctx.db, job.orgId, (tx) => loadChatSettings(tx))
  let detail: string | null = null
  let outcome: 'sent' | 'failed' = 'sent'
  try {
    if (!(await deliverChatMessage(ctx.db, ctx.env, job.orgId, settings, payload, payload.message))) return
  } catch (error) {
    const failure = error instanceof ChatSendError ? error : new ChatSendError((error as Error).message, false)
    if (!failure.permanent && job.attempts < job.maxAttempts) {
      if (failure.retryAfterSeconds !== null) throw new RetryAt(failure.message, new Date(Date.now() + failure.retryAfterSeconds * 1000))
      throw failure
    }
    outcome = 'failed'
    detail = failure.message
  }
  await withOrg(ctx.db, job.orgId, async (tx) => {
    const { caseId, destination, eventType } = payload
    await insertChatDelivery(tx, job.orgId, { caseId, destination, eventType, outcome, detail })
    await ctx.complete(tx)
  })
}

/** The settings page's button: a sample notification through the real path; the answer in one line. */
export async function sendTestMessage(db: Db, env: Env, orgId: string, destination: 'slack' | 'teams', actor: Actor): Promise<string> {
  const settings = await withOrg(db, orgId, (tx) => loadChatSettings(tx))
  const service = destination === 'slack' ? 'Slack' : 'Teams'
  const message: ChatMessage = {
    headline: 'Test message from Escalation Desk',
    label: 'ESC-0',
    line: 'SEV-2 · Direct · A. Customer · due in 1 h',
    subject: settings.includeSubject ? 'The subject line appears here' : null,
    url: env.PUBLIC_URL,
  }
  let answer: string
  let outcome: 'sent' | 'failed' = 'failed'
  try {
    const posted = await deliverChatMessage(db, env, orgId, settings, { destination, channel: null, threadTs: null }, message)
    if (posted) outcome = 'sent'
    answer = posted ? `${service} accepted the test message.` : `${service} is not set up: turn it on and save its URL or token first.`
  } catch (error) {
    answer = `${service} refused the test message: ${(error as Error).message}.`
  }
  await withOrg(db, orgId, async (tx) => {
    await insertChatDelivery(tx, orgId, {
      caseId: null,
      destination,
      eventType: 'test',
      outcome,
      detail: outcome === 'sent' ? null : answer,
    })
    await recordAudit(tx, orgId, { actor, action: 'org.chat_test', details: { destination, outcome, answer } })
  })
  return answer
}
