import type { ChatDeliveryRow } from '../../src/integrations/chat/queries.ts'
import { caseLabel } from '../../src/cases/terms.ts'
import { Flash, formatTime } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

/** What the form shows: the settings, the routes as typed, and a hint (never the value) of each secret. */
export type ChatSettingsView = {
  slackEnabled: boolean
  slackChannel: string
  routesText: string
  teamsEnabled: boolean
  includeSubject: boolean
  hints: { botToken: string | null; webhookUrl: string | null; signingSecret: string | null; teamsUrl: string | null }
  requestUrl: string
}

type Props = {
  view: ChatSettingsView
  deliveries: ChatDeliveryRow[]
  errors?: Record<string, string>
  notice?: string
  testAnswer?: string
}

export function ChatSettingsPage({ view, deliveries, errors = {}, notice, testAnswer }: Props) {
  return (
    <Layout title="Slack and Teams">
      <p class="crumbs">
        <a href="/">← Queue</a>
      </p>
      <h1>Slack and Teams</h1>
      <Flash error={errors.form} notice={notice} />
      <ChatForm view={view} errors={errors} />
      <TestPanel view={view} answer={testAnswer} />
      <SlackAppPanel view={view} />
      <RecentDeliveries deliveries={deliveries} />
    </Layout>
  )
}

function FieldError({ message }: { message?: string }) {
  return message ? <p class="field-error">{message}</p> : null
}

/** A secret's field: empty keeps what is stored, which the hint describes; a box removes it. */
function SecretField(props: { name: string; label: string; hint: string | null; placeholder: string; help: string; error?: string }) {
  return (
    <div class="field">
      <label for={props.name}>{props.label}</label>
      <input
        type="password"
        id={props.name}
        name={props.name}
        autocomplete="off"
        placeholder={props.hint ? `${props.hint} (leave empty to keep)` : props.placeholder}
      />
      <small class="muted">
        {props.hint ? `Stored: ${props.hint}. ` : 'Not set. '}
        {props.help}
      </small>
      {props.hint ? (
        <label class="checkbox">
          <input type="checkbox" name={`clear_${props.name}`} /> Remove it
        </label>
      ) : null}
      <FieldError message={props.error} />
    </div>
  )
}

function ChatForm({ view, errors }: { view: ChatSettingsView; errors: Record<string, string> }) {
  return (
    <form method="post" action="/admin/chat" class="panel stack" id="chat-settings">
      <h2>What a notification says</h2>
      <p class="muted">
        A notification is one summary line: the case number, severity, source, the customer’s name and the clock, with a link to the case.
        It never contains what the customer wrote.
      </p>
      <label class="checkbox">
        <input type="checkbox" name="include_subject" checked={view.includeSubject} /> Add the case’s subject line (at most 140 characters;
        customers write subjects too)
      </label>
      <p class="muted">
        Posted for: a new SEV-1 or SEV-2 case, a case at risk, a breach, an approval requested, a reply sent, and a reply that could not be
        delivered.
      </p>

      <h2>Slack</h2>
      <label class="checkbox">
        <input type="checkbox" name="slack_enabled" checked={view.slackEnabled} /> Use Slack (notifications, “Escalate to desk”, and posts
        into the threads of cases opened from Slack)
      </label>
      <SecretField
        name="slack_bot_token"
        label="Bot token"
        hint={view.hints.botToken}
        placeholder="xoxb-…"
        help="With a bot token (scope chat:write; the bot must be in the channels) notifications go through chat.postMessage, cases opened from Slack post back into their thread, and the routes below apply."
        error={errors.slack_bot_token}
      />
      <div class="field">
        <label for="slack_channel">Channel</label>
        <input type="text" id="slack_channel" name="slack_channel" value={view.slackChannel} placeholder="C0123ABCD" />
        <small class="muted">The channel’s id (channel details → bottom) or #name, for the bot token.</small>
        <FieldError message={errors.slack_channel} />
      </div>
      <div class="field">
        <label for="slack_routes">Other channels by severity or source</label>
        <textarea
          id="slack_routes"
          name="slack_routes"
          rows={3}
          placeholder={'SEV-1 C0SEV1ROOM\nlawyer C0LEGAL\nSEV-2 regulator #compliance'}
        >
          {view.routesText}
        </textarea>
        <small class="muted">
          One per line: a severity, a source or both, then the channel. The first line that matches wins; else the channel above.
        </small>
        <FieldError message={errors.slack_routes} />
      </div>
      <SecretField
        name="slack_webhook_url"
        label="Or an incoming webhook URL"
        hint={view.hints.webhookUrl}
        placeholder="https://hooks.slack.com/services/…"
        help="Used when there is no bot token: one channel, chosen when the webhook was made."
        error={errors.slack_webhook_url}
      />
      <SecretField
        name="slack_signing_secret"
        label="Signing secret"
        hint={view.hints.signingSecret}
        placeholder="from Basic Information → App Credentials"
        help="Turns on “Escalate to desk” (see below). Every request is checked against it."
        error={errors.slack_signing_secret}
      />

      <h2>Microsoft Teams</h2>
      <label class="checkbox">
        <input type="checkbox" name="teams_enabled" checked={view.teamsEnabled} /> Post notifications to Teams
      </label>
      <SecretField
        name="teams_webhook_url"
        label="Webhook URL"
        hint={view.hints.teamsUrl}
        placeholder="https://….webhook.office.com/… or a Workflows URL"
        help="An incoming webhook, or a Workflows flow “Post to a channel when a webhook request is received”. Notifications arrive as an Adaptive Card."
        error={errors.teams_webhook_url}
      />
      <button type="submit" class="primary">
        Save
      </button>
    </form>
  )
}

function TestPanel({ view, answer }: { view: ChatSettingsView; answer?: string }) {
  return (
    <section class="panel" id="chat-test">
      <h2>Send a test message</h2>
      <p class="muted">
        A sample notification (case ESC-0, no customer) through the saved settings; Slack’s or Teams’ answer appears here.
      </p>
      {answer ? (
        <p role="status" id="chat-test-answer">
          {answer}
        </p>
      ) : null}
      <form method="post" action="/admin/chat/test" class="inline">
        <button type="submit" name="destination" value="slack" disabled={!view.slackEnabled}>
          Send a test message to Slack
        </button>{' '}
        <button type="submit" name="destination" value="teams" disabled={!view.teamsEnabled}>
          Send a test message to Teams
        </button>
      </form>
    </section>
  )
}

function SlackAppPanel({ view }: { view: ChatSettingsView }) {
  return (
    <section class="panel" id="slack-app">
      <h2>“Escalate to desk” in Slack</h2>
      <ol>
        <li>
          Create a Slack app (api.slack.com/apps), add the bot scope <code>chat:write</code>, install it, and paste its bot token and
          signing secret above.
        </li>
        <li>
          Interactivity &amp; Shortcuts: turn on Interactivity, with the Request URL <code>{view.requestUrl}</code>
        </li>
        <li>
          Create a shortcut: “On messages”, name “Escalate to desk”, Callback ID <code>escalate_to_desk</code>.
        </li>
      </ol>
      <p class="muted">
        The shortcut opens a case from the message (its text, author and link); pressing it again on the same message finds that case. The
        case posts into the message’s thread when someone owns it and when it is answered.
      </p>
    </section>
  )
}

function RecentDeliveries({ deliveries }: { deliveries: ChatDeliveryRow[] }) {
  return (
    <section class="panel" id="chat-deliveries">
      <h2>Recent posts</h2>
      {deliveries.length === 0 ? (
        <p class="muted">None yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>Where</th>
              <th>Case</th>
              <th>Event</th>
              <th>Outcome</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.map((d) => (
              <tr>
                <td>{formatTime(d.createdAt)}</td>
                <td>{d.destination === 'slack_thread' ? 'Slack thread' : d.destination === 'slack' ? 'Slack' : 'Teams'}</td>
                <td>{d.caseNumber === null ? '—' : caseLabel(d.caseNumber)}</td>
                <td>{d.eventType}</td>
                <td>
                  {d.outcome}
                  {d.detail ? `: ${d.detail}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
