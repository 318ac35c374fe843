import { Flash } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

export type EndpointView = {
  id: string
  url: string
  description: string
  eventTypes: string[]
  enabled: boolean
  /** secretHint of the signing secret, or why it cannot be opened. */
  secretHint: string
}

export type EndpointForm = { url: string; description: string; events: string[] }

type Props = {
  endpoints: EndpointView[]
  eventTypes: readonly string[]
  form?: EndpointForm
  errors?: Record<string, string>
  notice?: string
  /** The signing secret of the endpoint just added: shown this once. */
  created?: { id: string; secret: string }
}

export function WebhooksPage({ endpoints, eventTypes, form, errors = {}, notice, created }: Props) {
  return (
    <Layout title="Webhooks">
      <p class="crumbs">
        <a href="/">← Queue</a>
      </p>
      <h1>Outgoing webhooks</h1>
      <Flash error={errors.form} notice={notice} />
      {created ? <CreatedSecret secret={created.secret} /> : null}
      <p class="muted">
        Each endpoint receives the case events it subscribes to as a JSON POST signed with{' '}
        <a href="https://www.standardwebhooks.com/">Standard Webhooks</a> (<code>webhook-id</code>, <code>webhook-timestamp</code>,{' '}
        <code>webhook-signature</code>). Failed deliveries are retried with backoff; the log of each endpoint shows every attempt.
        Escalations from a helpdesk are set up on <a href="/admin/helpdesk">Helpdesk</a>.
      </p>
      <section class="panel" id="webhook-endpoints">
        <h2>Endpoints</h2>
        {endpoints.length === 0 ? <p class="muted">No endpoint yet.</p> : <EndpointTable endpoints={endpoints} />}
      </section>
      <AddEndpointForm eventTypes={eventTypes} form={form} errors={errors} />
    </Layout>
  )
}

function CreatedSecret({ secret }: { secret: string }) {
  return (
    <section class="panel" id="webhook-secret" role="status">
      <h2>Signing secret</h2>
      <p>
        Copy it now: it is shown only this once. Your receiver verifies each delivery with it, e.g.{' '}
        <code>new Webhook(secret).verify(body, headers)</code> from the <code>standardwebhooks</code> package.
      </p>
      <pre class="mail-text">{secret}</pre>
    </section>
  )
}

function EndpointTable({ endpoints }: { endpoints: EndpointView[] }) {
  return (
    <div class="table-scroll" tabindex={0} role="region" aria-label="Endpoints">
      <table>
        <thead>
          <tr>
            <th>URL</th>
            <th>Events</th>
            <th>Secret</th>
            <th>Status</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {endpoints.map((e) => (
            <tr id={`endpoint-${e.id}`}>
              <td>
                {/* code breaks anywhere: a long unbroken URL must not widen the page. */}
                <a href={`/admin/webhooks/${e.id}`}>
                  <code>{e.url}</code>
                </a>
                {e.description ? <div class="muted prewrap">{e.description}</div> : null}
              </td>
              <td>{e.eventTypes.join(', ')}</td>
              <td>{e.secretHint}</td>
              <td>{e.enabled ? 'Enabled' : <span class="muted">Disabled</span>}</td>
              <td>
                <EndpointAction id={e.id} action={e.enabled ? 'disable' : 'enable'} label={e.enabled ? 'Disable' : 'Enable'} />
                {e.enabled ? <EndpointAction id={e.id} action="test" label="Send test event" /> : null}
                <EndpointAction id={e.id} action="delete" label="Delete" danger />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function EndpointAction({ id, action, label, danger }: { id: string; action: string; label: string; danger?: boolean }) {
  return (
    <form method="post" action={`/admin/webhooks/${id}/${action}`} class="inline">
      <button type="submit" class={danger ? 'small danger' : 'small'}>
        {label}
      </button>
    </form>
  )
}

function AddEndpointForm({
  eventTypes,
  form,
  errors,
}: {
  eventTypes: readonly string[]
  form?: EndpointForm
  errors: Record<string, string>
}) {
  const chosen = new Set(form?.events ?? eventTypes)
  return (
    <form method="post" action="/admin/webhooks" class="panel stack" id="add-endpoint">
      <h2>Add an endpoint</h2>
      <label class="field">
        <span>URL</span>
        <input type="url" name="url" required maxlength={2000} value={form?.url ?? ''} placeholder="https://hooks.example.com/desk" />
        <small class="muted">HTTPS (plain HTTP only to this machine). Redirects are not followed.</small>
        {errors.url ? <p class="field-error">{errors.url}</p> : null}
      </label>
      <label class="field">
        <span>Description</span>
        <input type="text" name="description" maxlength={200} value={form?.description ?? ''} />
        {errors.description ? <p class="field-error">{errors.description}</p> : null}
      </label>
      <fieldset>
        <legend>Events</legend>
        {eventTypes.map((type) => (
          <label class="checkbox">
            <input type="checkbox" name="events" value={type} checked={chosen.has(type)} /> <code>{type}</code>
          </label>
        ))}
        {errors.events ? <p class="field-error">{errors.events}</p> : null}
      </fieldset>
      <button type="submit">Add endpoint</button>
    </form>
  )
}
