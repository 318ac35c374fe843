// The requests to Slack and Teams, and what their answers mean for a retry. Slack's Web API goes
// through @slack/web-api (fetch inside, so it runs on Workers too) with its own retries off: the
// job queue retries, with backoff and at Slack's Retry-After, so a job never sleeps in a runner.
import { LogLevel, WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError, WebClient } from '@slack/web-api'

/** How long Slack or Teams may take to answer one request. */
export const CHAT_TIMEOUT_MS = 10_000

/** A refused or failed post: retry it (at retryAfterSeconds when named), or not (`permanent`). */
export class ChatSendError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message)
    this.name = 'ChatSendError'
  }
}

// Slack's `ok: false` errors that say "try again later"; every other one would repeat.
const retryableSlackErrors = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout'])

function slackClient(token: string, apiUrl: string, timeoutMs = CHAT_TIMEOUT_MS): WebClient {
  return new WebClient(token, {
    slackApiUrl: apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: timeoutMs,
    logLevel: LogLevel.ERROR,
  })
}

function slackFailure(error: unknown): ChatSendError {
  if (error instanceof WebAPIRateLimitedError) return new ChatSendError('Slack is rate limiting', false, error.retryAfter)
  if (error instanceof WebAPIPlatformError) {
    const code = error.data.error
    return new ChatSendError(`Slack answered ${code}`, !retryableSlackErrors.has(code))
  }
  if (error instanceof WebAPIHTTPError) return new ChatSendError(`Slack answered HTTP ${error.statusCode}`, error.statusCode < 500)
  if (error instanceof WebAPIRequestError) return new ChatSendError(`Slack could not be reached: ${error.original.message}`, false)
  return new ChatSendError(`Slack could not be reached: ${(error as Error).message}`, false)
}

export type SlackPost = { channel: string; threadTs?: string | null; text: string; blocks: unknown[] }

/** chat.postMessage with a bot token; the message's ts. */
export async function postSlackMessage(apiUrl: string, token: string, post: SlackPost & Record<string, unknown>): Promise<string> {
  const { threadTs, ...rest } = post
  const args = { ...rest, ...(threadTs ? { thread_ts: threadTs } : {}) }
  try {
    const answer = await slackClient(token, apiUrl).chat.postMessage(args as Parameters<WebClient['chat']['postMessage']>[0])
    return String(answer.ts ?? '')
  } catch (error) {
    throw slackFailure(error)
  }
}

/** chat.getPermalink: the message's link, or null when Slack does not give one in time. */
export async function slackPermalink(
  apiUrl: string,
  token: string,
  channel: string,
  messageTs: string,
  timeoutMs = CHAT_TIMEOUT_MS,
): Promise<string | null> {
  try {
    const answer = await slackClient(token, apiUrl, timeoutMs).chat.getPermalink({ channel, message_ts: messageTs })
    return typeof answer.permalink === 'string' ? answer.permalink : null
  } catch {
    return null
  }
}

function retryAfter(response: Response): number | null {
  const value = Number(response.headers.get('retry-after'))
  return Number.isFinite(value) && value >= 0 ? value : null
}

/**
 * A JSON post to a webhook URL (Slack incoming webhook, Teams webhook or Workflows). 429 and 5xx
 * are retried (at Retry-After when given), any other refusal is permanent; the answer's first
 * line says why (Slack: "channel_not_found"; Teams: "Bad payload received…"). Teams' connector
 * webhooks may answer 200 with "Microsoft Teams endpoint returned HTTP error 429" in the body:
 * that is the status that counts.
 */
export async function postWebhook(service: 'Slack' | 'Teams', url: string, payload: unknown): Promise<void> {
  let response: Response
  let said: string
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      redirect: 'error',
      signal: AbortSignal.timeout(CHAT_TIMEOUT_MS),
    })
    said = (await response.text()).slice(0, 2000).split('\n')[0]!.trim().slice(0, 200)
  } catch (error) {
    throw new ChatSendError(`${service} could not be reached: ${(error as Error).message}`, false)
  }
  const embedded = /returned HTTP error (\d{3})/.exec(said)
  const status = response.ok && embedded ? Number(embedded[1]) : response.status
  if (status >= 200 && status < 300) return
  throw new ChatSendError(
    `${service} answered HTTP ${status}${said ? `: ${said}` : ''}`,
    status !== 429 && status < 500,
    retryAfter(response),
  )
}
