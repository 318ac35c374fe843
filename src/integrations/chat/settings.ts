// An organization's Slack and Teams settings (sql/00030_chat_integrations.sql): the rules for
// reading and changing them. Secrets are sealed before they are stored and opened only where a
// request to Slack or Teams is made; what an admin sees of one is its hint.
import { recordAudit, type Actor } from '../../audit/audit.ts'
import type { Db, DbOrTx, Tx } from '../../db.ts'
import type { Env } from '../../env.ts'
import { setEventSubscription } from '../../events/events.ts'
import { isSeverity, isSource, type Severity, type Source } from '../../cases/terms.ts'
import { openSecret, sealSecret } from '../../secrets/sealed.ts'

/** The sink's name in event_subscriptions. */
export const CHAT_SINK = 'chat'

export type SlackRoute = { severity: Severity | null; source: Source | null; channel: string }

export type ChatSettings = {
  slackEnabled: boolean
  slackBotTokenSealed: string | null
  slackWebhookUrlSealed: string | null
  slackChannel: string | null
  slackRoutes: SlackRoute[]
  slackSigningSecretSealed: string | null
  teamsEnabled: boolean
  teamsWebhookUrlSealed: string | null
  includeSubject: boolean
}

export const noChatSettings: ChatSettings = {
  slackEnabled: false,
  slackBotTokenSealed: null,
  slackWebhookUrlSealed: null,
  slackChannel: null,
  slackRoutes: [],
  slackSigningSecretSealed: null,
  teamsEnabled: false,
  teamsWebhookUrlSealed: null,
  includeSubject: false,
}

export async function loadChatSettings(db: DbOrTx): Promise<ChatSettings> {
  const [row]: [ChatSettings?] = await db`
    select slack_enabled as "slackEnabled", slack_bot_token_sealed as "slackBotTokenSealed",
           slack_webhook_url_sealed as "slackWebhookUrlSealed", slack_channel as "slackChannel", slack_routes as "slackRoutes",
           slack_signing_secret_sealed as "slackSigningSecretSealed", teams_enabled as "teamsEnabled",
           teams_webhook_url_sealed as "teamsWebhookUrlSealed", include_subject as "includeSubject"
    from chat_settings`
  return row ?? noChatSettings
}

/** Slack can be posted to: turned on, with a token and a channel, or a webhook URL. */
export const slackReady = (s: ChatSettings) =>
  s.slackEnabled && ((!!s.slackBotTokenSealed && !!s.slackChannel) || !!s.slackWebhookUrlSealed)
/** Slack-born cases can post back into their thread: Slack on, with a bot token (webhooks cannot reply in a thread). */
export const slackThreadsReady = (s: ChatSettings) => s.slackEnabled && !!s.slackBotTokenSealed
/** "Escalate to desk" is taken: Slack on, with the app's signing secret. */
export const slackIntakeReady = (s: ChatSettings) => s.slackEnabled && !!s.slackSigningSecretSealed
export const teamsReady = (s: ChatSettings) => s.teamsEnabled && !!s.teamsWebhookUrlSealed

/** The Slack channel of a case: the first route that matches its severity and source, else the default. */
export function slackChannelFor(s: ChatSettings, kase: { severity: string; source: string }): string | null {
  const route = s.slackRoutes.find((r) => (!r.severity || r.severity === kase.severity) && (!r.source || r.source === kase.source))
  return route?.channel ?? s.slackChannel
}

/** One route per line: "SEV-1 C0123", "lawyer C0456", "SEV-2 regulator #legal". The channel comes last. */
export function parseSlackRoutes(text: string): { ok: true; routes: SlackRoute[] } | { ok: false; error: string } {
  const routes: SlackRoute[] = []
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    const words = line.trim().split(/\s+/).filter(Boolean)
    if (!words.length) continue
    const channel = words.pop()!
    const route: SlackRoute = { severity: null, source: null, channel }
    for (const word of words) {
      if (isSeverity(word.toUpperCase()) && !route.severity) route.severity = word.toUpperCase() as Severity
      else if (isSource(word.toLowerCase()) && !route.source) route.source = word.toLowerCase() as Source
      else return { ok: false, error: `Line ${i + 1}: “${word}” is not a severity (SEV-1…SEV-4) or a source.` }
    }
    if (!isChannel(channel)) return { ok: false, error: `Line ${i + 1}: “${channel}” is not a channel id (C0123ABCD) or #name.` }
    if (!route.severity && !route.source)
      return { ok: false, error: `Line ${i + 1}: name a severity, a source or both before the channel.` }
    routes.push(route)
  }
  if (routes.length > 50) return { ok: false, error: 'At most 50 routes.' }
  return { ok: true, routes }
}

export const routesText = (routes: SlackRoute[]) =>
  routes.map((r) => [r.severity, r.source, r.channel].filter(Boolean).join(' ')).join('\n')

export const isChannel = (value: string) => /^[#A-Za-z0-9_.-]{1,80}$/.test(value)

/** The opened secrets, for the code that talks to Slack and Teams (never shown, never logged). */
export type OpenedSecrets = { botToken: string | null; webhookUrl: string | null; signingSecret: string | null; teamsUrl: string | null }

export async function openChatSecrets(db: Db, env: Pick<Env, 'SECRETS_KEY'>, orgId: string, s: ChatSettings): Promise<OpenedSecrets> {
  const open = (sealed: string | null) => (sealed ? openSecret(db, env, orgId, sealed) : Promise.resolve(null))
  const [botToken, webhookUrl, signingSecret, teamsUrl] = await Promise.all([
    open(s.slackBotTokenSealed),
    open(s.slackWebhookUrlSealed),
    open(s.slackSigningSecretSealed),
    open(s.teamsWebhookUrlSealed),
  ])
  return { botToken, webhookUrl, signingSecret, teamsUrl }
}

/** A secret field of the form: a new value, "clear", or unchanged (left empty). */
export type SecretChange = { set: string } | { clear: true } | null
export type ChatSettingsChange = {
  slackEnabled: boolean
  slackChannel: string | null
  slackRoutes: SlackRoute[]
  teamsEnabled: boolean
  includeSubject: boolean
  botToken: SecretChange
  webhookUrl: SecretChange
  signingSecret: SecretChange
  teamsUrl: SecretChange
}

const secretColumns = {
  botToken: 'slackBotTokenSealed',
  webhookUrl: 'slackWebhookUrlSealed',
  signingSecret: 'slackSigningSecretSealed',
  teamsUrl: 'teamsWebhookUrlSealed',
} as const

/**
 * Saves the settings, audited (which secrets were replaced or removed, never their values), and
 * keeps the org's event subscription in step: on while Slack or Teams can be posted to, or a
 * Slack thread may be posted back into.
 */
export async function saveChatSettings(
  db: Db,
  tx: Tx,
  env: Pick<Env, 'SECRETS_KEY'>,
  orgId: string,
  change: ChatSettingsChange,
  actor: Actor,
): Promise<ChatSettings> {
  const before = await loadChatSettings(tx)
  const next: ChatSettings = {
    ...before,
    slackEnabled: change.slackEnabled,
    slackChannel: change.slackChannel,
    slackRoutes: change.slackRoutes,
    teamsEnabled: change.teamsEnabled,
    includeSubject: change.includeSubject,
  }
  const secrets: Record<string, 'replaced' | 'removed'> = {}
  for (const [field, column] of Object.entries(secretColumns) as [
    keyof typeof secretColumns,
    (typeof secretColumns)[keyof typeof secretColumns],
  ][]) {
    const given = change[field]
    if (!given) continue
    next[column] = 'set' in given ? await sealSecret(db, env, orgId, given.set) : null
    secrets[field] = 'set' in given ? 'replaced' : 'removed'
  }
  await upsertChatSettings(tx, orgId, next)
  await setEventSubscription(tx, orgId, CHAT_SINK, slackReady(next) || teamsReady(next) || slackThreadsReady(next))
  const { slackBotTokenSealed: _a, slackWebhookUrlSealed: _b, slackSigningSecretSealed: _c, teamsWebhookUrlSealed: _d, ...shown } = next
  await recordAudit(tx, orgId, { actor, action: 'org.chat_change', details: { after: shown, secrets } })
  return next
}

async function upsertChatSettings(tx: Tx, orgId: string, s: ChatSettings): Promise<void> {
  const row = {
    org_id: orgId,
    slack_enabled: s.slackEnabled,
    slack_bot_token_sealed: s.slackBotTokenSealed,
    slack_webhook_url_sealed: s.slackWebhookUrlSealed,
    slack_channel: s.slackChannel,
    slack_routes: tx.json(s.slackRoutes as never),
    slack_signing_secret_sealed: s.slackSigningSecretSealed,
    teams_enabled: s.teamsEnabled,
    teams_webhook_url_sealed: s.teamsWebhookUrlSealed,
    include_subject: s.includeSubject,
    updated_at: new Date(),
  }
  const columns = Object.keys(row) as (keyof typeof row)[]
  await tx`
    insert into chat_settings ${tx(row, columns)}
    on conflict (org_id) do update set ${tx(
      row,
      columns.filter((c) => c !== 'org_id'),
    )}`
}
