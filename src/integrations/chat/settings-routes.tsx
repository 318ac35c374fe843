import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { userActor } from '../../audit/audit.ts'
import type { SessionUser } from '../../auth/sessions.ts'
import { withOrg } from '../../db.ts'
import type { AppEnv } from '../../http/app-env.ts'
import { fieldErrors, textFields } from '../../http/forms.ts'
import { render } from '../../http/htmx.ts'
import { requireRole } from '../../http/session.ts'
import { openSecret, secretHint, UnsealError } from '../../secrets/sealed.ts'
import { ChatSettingsPage, type ChatSettingsView } from '../../../views/pages/chat-settings.tsx'
import { sendTestMessage } from './deliver.ts'
import { listRecentChatDeliveries } from './queries.ts'
import {
  isChannel,
  loadChatSettings,
  parseSlackRoutes,
  routesText,
  saveChatSettings,
  type ChatSettings,
  type SecretChange,
} from './settings.ts'

/** /admin/chat: where notifications go in Slack and Teams, the Slack app's secrets, a test button. */
export const chatSettingsRoutes = new Hono<AppEnv>()

const checkbox = z
  .enum(['on'])
  .optional()
  .transform((v) => v === 'on')

/** https, or http to this machine (a local relay or stand-in): never a plain-text hop elsewhere. */
function isWebhookUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
  } catch {
    return false
  }
}

/** A secret's field: '' (keep what is stored) or a value that passes the check. */
const secretInput = (check: (v: string) => boolean, message: string) =>
  z
    .string()
    .trim()
    .max(2000, message)
    .refine((v) => v === '' || check(v), message)
    .default('')

const formSchema = z.object({
  slack_enabled: checkbox,
  teams_enabled: checkbox,
  include_subject: checkbox,
  slack_channel: z
    .string()
    .trim()
    .refine((v) => v === '' || isChannel(v), 'Enter a channel id (C0123ABCD) or #name.')
    .default(''),
  slack_routes: z.string().max(5000, 'Keep the routes under 5,000 characters.').default(''),
  slack_bot_token: secretInput((v) => /^xoxb-[A-Za-z0-9-]{10,250}$/.test(v), 'A bot token starts with xoxb-.'),
  slack_webhook_url: secretInput(isWebhookUrl, 'Paste the incoming webhook URL as Slack gives it (https://…).'),
  slack_signing_secret: secretInput(
    (v) => /^[A-Za-z0-9]{16,128}$/.test(v),
    'Paste the signing secret as Slack shows it (letters and digits).',
  ),
  teams_webhook_url: secretInput(isWebhookUrl, 'Paste the webhook URL as Teams or Workflows gives it (https://…).'),
})

/** "set, ending …abcd", or that the stored value does not open with this key; null when none is stored. */
async function hintOf(reveal: (() => Promise<string>) | null): Promise<string | null> {
  if (!reveal) return null
  try {
    return secretHint(await reveal())
  } catch (error) {
    if (error instanceof UnsealError) return 'stored, but it cannot be opened with this SECRETS_KEY: enter it again'
    throw error
  }
}

async function settingsView(c: Context<AppEnv>, user: SessionUser, s: ChatSettings): Promise<ChatSettingsView> {
  const { db, env } = c.get('deps')
  const hint = (sealed: string | null) => hintOf(sealed ? () => openSecret(db, env, user.orgId, sealed) : null)
  return {
    slackEnabled: s.slackEnabled,
    slackChannel: s.slackChannel ?? '',
    routesText: routesText(s.slackRoutes),
    teamsEnabled: s.teamsEnabled,
    includeSubject: s.includeSubject,
    hints: {
      botToken: await hint(s.slackBotTokenSealed),
      webhookUrl: await hint(s.slackWebhookUrlSealed),
      signingSecret: await hint(s.slackSigningSecretSealed),
      teamsUrl: await hint(s.teamsWebhookUrlSealed),
    },
    requestUrl: `${env.PUBLIC_URL.replace(/\/$/, '')}/integrations/slack/interactivity?org=${encodeURIComponent(user.orgSlug)}`,
  }
}

type Shown = { errors?: Record<string, string>; notice?: string; testAnswer?: string; view?: Partial<ChatSettingsView> }

async function showSettings(c: Context<AppEnv>, user: SessionUser, shown: Shown = {}, status: 200 | 422 = 200) {
  const { db } = c.get('deps')
  const [settings, deliveries] = await withOrg(
    db,
    user.orgId,
    async (tx) => [await loadChatSettings(tx), await listRecentChatDeliveries(tx)] as const,
  )
  const view = { ...(await settingsView(c, user, settings)), ...shown.view }
  return render(
    c,
    <ChatSettingsPage view={view} deliveries={deliveries} errors={shown.errors} notice={shown.notice} testAnswer={shown.testAnswer} />,
    status,
  )
}

chatSettingsRoutes.get('/', async (c) => showSettings(c, requireRole(c, 'admin')))

const secretChange = (value: string, clear: string | undefined): SecretChange =>
  value ? { set: value } : clear === 'on' ? { clear: true } : null

chatSettingsRoutes.post('/', async (c) => {
  const user = requireRole(c, 'admin')
  const form = await textFields(c)
  const parsed = formSchema.safeParse(form)
  const routes = parseSlackRoutes(String(form.slack_routes ?? ''))
  const errors = parsed.success ? {} : fieldErrors(parsed.error)
  if (!routes.ok) errors.slack_routes = routes.error
  if (!parsed.success || !routes.ok) {
    const typed = { slackChannel: String(form.slack_channel ?? ''), routesText: String(form.slack_routes ?? '') }
    return showSettings(c, user, { errors: { form: 'Nothing was saved; see below.', ...errors }, view: typed }, 422)
  }
  const f = parsed.data
  const { db, env } = c.get('deps')
  await withOrg(db, user.orgId, (tx) =>
    saveChatSettings(
      db,
      tx,
      env,
      user.orgId,
      {
        slackEnabled: f.slack_enabled,
        slackChannel: f.slack_channel || null,
        slackRoutes: routes.routes,
        teamsEnabled: f.teams_enabled,
        includeSubject: f.include_subject,
        botToken: secretChange(f.slack_bot_token, form.clear_slack_bot_token),
        webhookUrl: secretChange(f.slack_webhook_url, form.clear_slack_webhook_url),
        signingSecret: secretChange(f.slack_signing_secret, form.clear_slack_signing_secret),
        teamsUrl: secretChange(f.teams_webhook_url, form.clear_teams_webhook_url),
      },
      userActor(user),
    ),
  )
  return showSettings(c, user, { notice: 'Saved.' })
})

chatSettingsRoutes.post('/test', async (c) => {
  const user = requireRole(c, 'admin')
  const form = await textFields(c)
  const destination = form.destination === 'teams' ? 'teams' : 'slack'
  const { db, env } = c.get('deps')
  const answer = await sendTestMessage(db, env, user.orgId, destination, userActor(user))
  return showSettings(c, user, { testAnswer: answer })
})
