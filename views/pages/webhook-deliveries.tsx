import type { Attempt, Delivery } from '../../src/webhooks/queries.ts'
import { Flash, formatTime } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'
import type { EndpointView } from './webhooks.tsx'

type Props = {
  endpoint: EndpointView
  deliveries: (Delivery & { caseLabel: string | null; attemptLog: Attempt[] })[]
  notice?: string
  error?: string
}

/** One endpoint's delivery log: every delivery, its attempts, and Replay. */
export function WebhookDeliveriesPage({ endpoint, deliveries, notice, error }: Props) {
  return (
    <Layout title="Webhook deliveries">
      <p class="crumbs">
        <a href="/admin/webhooks">← Webhooks</a>
      </p>
      <h1>Deliveries to {endpoint.url}</h1>
      <Flash error={error} notice={notice} />
      <p class="muted">
        {endpoint.enabled ? 'Enabled' : 'Disabled'} · {endpoint.eventTypes.join(', ')} · secret {endpoint.secretHint}. The latest 50
        deliveries; a replay posts the same payload with the same <code>webhook-id</code>, freshly signed.
      </p>
      {deliveries.length === 0 ? (
        <p class="muted">Nothing delivered yet.</p>
      ) : (
        <div class="table-scroll" tabindex={0} role="region" aria-label="Deliveries">
          <table id="webhook-deliveries">
            <thead>
              <tr>
                <th>Queued</th>
                <th>Event</th>
                <th>Case</th>
                <th>Status</th>
                <th>Attempts</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((d) => (
                <DeliveryLine d={d} endpointId={endpoint.id} enabled={endpoint.enabled} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  )
}

function DeliveryLine({ d, endpointId, enabled }: { d: Props['deliveries'][number]; endpointId: string; enabled: boolean }) {
  return (
    <tr id={`delivery-${d.id}`}>
      <td>
        {formatTime(d.createdAt)}
        <div class="muted">
          <code>{d.id}</code>
        </div>
      </td>
      <td>
        <code>{d.eventType}</code>
      </td>
      <td>{d.caseId && d.caseLabel ? <a href={`/cases/${d.caseId}`}>{d.caseLabel}</a> : '—'}</td>
      <td>
        {d.status}
        {d.status === 'pending' && d.nextAttemptAt ? <div class="muted">next attempt {formatTime(d.nextAttemptAt)}</div> : null}
        {d.lastError ? <div class="muted prewrap">{d.lastError}</div> : null}
      </td>
      <td>
        <ol class="attempts">
          {d.attemptLog.map((a) => (
            <li>
              {formatTime(a.attemptedAt)}: {a.statusCode ?? 'no answer'} in {a.durationMs} ms{a.error ? ` (${a.error})` : ''}
            </li>
          ))}
        </ol>
      </td>
      <td>
        {enabled && d.status !== 'pending' ? (
          <form method="post" action={`/admin/webhooks/${endpointId}/deliveries/${d.id}/replay`} class="inline">
            <button type="submit" class="small">
              Replay
            </button>
          </form>
        ) : null}
      </td>
    </tr>
  )
}
