import { severities } from '../../src/cases/terms.ts'
import { helpdeskSetup, type SetupStep } from '../../src/intake/tickets/setup.ts'
import { priorities, providerLabels, providers, type PriorityMap, type Provider } from '../../src/intake/tickets/terms.ts'
import { Flash, formatTime } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

export type ConnectionView = { provider: Provider; secretHint: string; priorityMap: PriorityMap; lastTicketAt: Date | null }

type Props = {
  connections: ConnectionView[]
  /** Where this organization's helpdesks post. */
  ticketUrl: (provider: Provider) => string
  defaults: PriorityMap
  errors?: Record<string, string>
  notice?: string
  /** A secret the desk made up just now: shown this once. */
  generated?: { provider: Provider; secret: string }
}

export function HelpdeskPage({ connections, ticketUrl, defaults, errors = {}, notice, generated }: Props) {
  return (
    <Layout title="Helpdesk">
      <p class="crumbs">
        <a href="/admin/webhooks">← Webhooks</a>
      </p>
      <h1>Escalations from a helpdesk</h1>
      <Flash error={errors.form} notice={notice} />
      <p class="muted">
        A ticket escalated in your helpdesk opens a case here: one ticket, one case (a second post of the same ticket answers{' '}
        <code>duplicate</code>), with a link back to the ticket and its priority as the suggested severity. The ticket's own words can raise
        that severity, never lower it.
      </p>
      {providers.map((provider) => (
        <ProviderPanel
          provider={provider}
          connection={connections.find((c) => c.provider === provider)}
          url={ticketUrl(provider)}
          defaults={defaults}
          error={errors.provider === provider ? errors.secret : undefined}
          generated={generated?.provider === provider ? generated.secret : undefined}
        />
      ))}
    </Layout>
  )
}

function ProviderPanel(props: {
  provider: Provider
  connection: ConnectionView | undefined
  url: string
  defaults: PriorityMap
  error?: string
  generated?: string
}) {
  const { provider, connection, url, generated } = props
  const map = connection?.priorityMap ?? props.defaults
  return (
    <section class="panel" id={`helpdesk-${provider}`}>
      <h2>{providerLabels[provider]}</h2>
      <p>
        {connection ? (
          <>
            Connected; secret {connection.secretHint}.{' '}
            {connection.lastTicketAt ? `Last ticket ${formatTime(connection.lastTicketAt)}.` : 'No ticket yet.'}
          </>
        ) : (
          <span class="muted">Not connected.</span>
        )}
      </p>
      {generated ? (
        <div role="status">
          <p>The secret to give {providerLabels[provider]}, shown only this once:</p>
          <pre class="mail-text">{generated}</pre>
        </div>
      ) : null}
      <SetupSteps steps={helpdeskSetup(provider, url)} />
      <form method="post" action="/admin/helpdesk" class="stack">
        <input type="hidden" name="provider" value={provider} />
        <label class="field">
          <span>Secret</span>
          <input type="password" name="secret" maxlength={200} autocomplete="off" />
          <small class="muted">
            {connection ? 'Leave empty to keep the stored one. ' : ''}
            {provider === 'zendesk' || provider === 'intercom'
              ? `The one ${providerLabels[provider]} shows you.`
              : 'Empty: the desk makes one up.'}
          </small>
          {props.error ? <p class="field-error">{props.error}</p> : null}
        </label>
        <fieldset>
          <legend>Priority → suggested severity</legend>
          {priorities.map((p) => (
            <label class="field">
              <span>{p}</span>
              <select name={`map_${p}`}>
                {severities.map((s) => (
                  <option value={s} selected={map[p] === s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
          ))}
        </fieldset>
        <button type="submit">{connection ? 'Save' : 'Connect'}</button>
      </form>
      {connection ? (
        <form method="post" action={`/admin/helpdesk/${provider}/delete`} class="inline">
          <button type="submit" class="small danger">
            Disconnect
          </button>
        </form>
      ) : null}
    </section>
  )
}

function SetupSteps({ steps }: { steps: SetupStep[] }) {
  return (
    <ol>
      {steps.map((step) => (
        <li>
          {step.text}
          {step.code ? <pre class="mail-text">{step.code}</pre> : null}
        </li>
      ))}
    </ol>
  )
}
