// The chat sink of case events (src/events): which Slack channels, Teams channel and Slack thread
// hear of an event. It only queues one `chat_notify` job per destination, in the event job's
// transaction; the post itself is the job's (src/integrations/chat/deliver.ts), retried alone.
import type { EventSink } from '../../events/events.ts'
import { insertJobs } from '../../jobs/queries.ts'
import { channelHeadline, composeMessage, threadHeadline, type ChatMessage } from './message.ts'
import { findSlackThreadOfCase } from './queries.ts'
import { CHAT_SINK, loadChatSettings, slackChannelFor, slackReady, slackThreadsReady, teamsReady } from './settings.ts'

/** A chat_notify job's payload: where, what, and for which case and event (the settings page lists them). */
export type ChatJob = {
  destination: 'slack' | 'slack_thread' | 'teams'
  /** Slack with a bot token: the channel; null for a webhook, which is bound to its own. */
  channel: string | null
  threadTs: string | null
  caseId: string | null
  eventType: string
  message: ChatMessage
}

export const chatSink: EventSink = {
  name: CHAT_SINK,
  async fanOut(tx, ctx, event, summary) {
    const settings = await loadChatSettings(tx)
    const jobs: ChatJob[] = []
    const about = { caseId: summary.id, eventType: event.type }
    const headline = channelHeadline(event, summary)
    if (headline) {
      const message = composeMessage(headline, summary, settings)
      if (slackReady(settings)) {
        const channel = settings.slackBotTokenSealed ? slackChannelFor(settings, summary) : null
        jobs.push({ destination: 'slack', channel, threadTs: null, ...about, message })
      }
      if (teamsReady(settings)) jobs.push({ destination: 'teams', channel: null, threadTs: null, ...about, message })
    }
    const threadLine = threadHeadline(event, summary)
    if (threadLine && slackThreadsReady(settings)) {
      const thread = await findSlackThreadOfCase(tx, summary.id)
      if (thread) {
        const message = composeMessage(threadLine, summary, settings)
        jobs.push({ destination: 'slack_thread', channel: thread.channelId, threadTs: thread.threadTs, ...about, message })
      }
    }
    await insertJobs(tx, ctx.orgId, 'chat_notify', jobs)
  },
}
