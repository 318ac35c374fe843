import { Hono } from 'hono'
import type { AppEnv } from '../../http/app-env.ts'
import { runAfterResponse } from '../../http/after-response.ts'
import { AppError } from '../../http/errors.ts'
import { withOrg } from '../../db.ts'
import type { Env } from '../../env.ts'
import { caseUrl } from '../../digest/sections.ts'
import { readBodyLimited } from '../../intake/webhooks/body.ts'
import { findOrgBySlug } from '../../orgs/queries.ts'
import { UnsealError } from '../../secrets/sealed.ts'
import { slackApiUrl } from './deliver.ts'
import { archiveLink, ESCALATE_CALLBACK_ID, escalateSlackMessage, messageActionSchema } from './slack-intake.ts'
import { verifySlackSignature } from './slack-signing.ts'
import { loadChatSettings, openChatSecrets, slackIntakeReady } from './settings.ts'
import { postWebhook, slackPermalink } from './transport.ts'

/**
 * `POST /integrations/slack/interactivity?org=SLUG`: the Slack app's Interactivity Request URL.
 * Signed by Slack (src/integrations/chat/slack-signing.ts), never a session. Slack wants an answer
 * within 3 seconds: the case is created (durably) before the 200, and the person who pressed the
 * shortcut is told which case it is through the payload's response_url after it.
 */
export const slackRoutes = new Hono<AppEnv>()

// A message_action payload carries one message (Slack caps its text at 40,000 characters).
const BODY_LIMIT = 512 * 1024
// chat.getPermalink is asked within Slack's 3 seconds; without an answer the archive link serves.
const PERMALINK_MS = 1_500

const refused = () => new AppError('UNAUTHORIZED', 'The request is not signed by this organization’s Slack app.')

slackRoutes.post('/interactivity', async (c) => {
  const { db, env } = c.get('deps')
  const body = await readBodyLimited(c.req.raw, BODY_LIMIT, { deadlineMs: 10_000 })
  const slug = c.req.query('org')
  const org = slug ? await findOrgBySlug(db, slug) : undefined
  if (!org) throw refused()
  const settings = await withOrg(db, org.id, (tx) => loadChatSettings(tx))
  if (!slackIntakeReady(settings)) throw refused()
  // A secret sealed under another SECRETS_KEY cannot check anything: refused like a wrong one.
  const secrets = await openChatSecrets(db, env, org.id, settings).catch((error: unknown) => {
    throw error instanceof UnsealError ? refused() : error
  })
  const signed = { timestamp: c.req.header('x-slack-request-timestamp'), signature: c.req.header('x-slack-signature') }
  if (!(await verifySlackSignature(secrets.signingSecret!, signed, body))) throw refused()

  const payloadText = new URLSearchParams(new TextDecoder().decode(body)).get('payload')
  let payload: unknown
  try {
    payload = JSON.parse(payloadText ?? '')
  } catch {
    throw new AppError('BAD_INPUT', 'Expected a form field `payload` holding JSON.')
  }
  const action = messageActionSchema.safeParse(payload)
  // Other interactions (a click on a notification's "Open" button) need only the acknowledgement.
  if (!action.success || action.data.callback_id !== ESCALATE_CALLBACK_ID) return c.body(null, 200)

  const { channel, message } = action.data
  const permalink =
    (secrets.botToken ? await slackPermalink(slackApiUrl(env), secrets.botToken, channel.id, message.ts, PERMALINK_MS) : null) ??
    archiveLink(action.data)
  const escalated = await escalateSlackMessage(db, org.id, action.data, permalink)
  const text = `${escalated.created ? 'Opened' : 'Already escalated:'} <${caseUrl(env.PUBLIC_URL, escalated.caseId)}|${escalated.label}> in the Escalation Desk.`
  const responseUrl = action.data.response_url
  if (responseUrl && isSlackResponseUrl(env, responseUrl)) {
    runAfterResponse(c, postWebhook('Slack', responseUrl, { response_type: 'ephemeral', replace_original: false, text }))
  }
  return c.body(null, 200)
})

/** Only Slack's own hosts (or the configured Slack API's, a stand-in in tests) get the answer. */
function isSlackResponseUrl(env: Pick<Env, 'SLACK_API_URL'>, url: string): boolean {
  try {
    const target = new URL(url)
    if (target.origin === new URL(slackApiUrl(env)).origin) return true
    return target.protocol === 'https:' && ['hooks.slack.com', 'hooks.slack-gov.com'].includes(target.hostname)
  } catch {
    return false
  }
}
