import type { ProviderSetup } from '../../src/orgs/receiving.ts'

/** How to get mail for one inbound address into the desk, provider by provider. */
export function ReceivingPanel({ address, providers }: { address: string; providers: ProviderSetup[] }) {
  return (
    <section class="panel" id={`receiving-${address}`}>
      <h2>Getting mail for {address} into the desk</h2>
      <p class="muted">
        Use one of these. Executives forward complaints to {address}; customers' answers come back to{' '}
        {address.replace('@', '+<case token>@')}.
      </p>
      {providers.map((p) => (
        <details data-provider={p.id}>
          <summary>
            <strong>{p.name}</strong> · <code>{p.endpoint}</code>{' '}
            {p.ready ? null : <span class="warn-text">(not configured on this server)</span>}
          </summary>
          <ol>
            {p.steps.map((s) => (
              <li>{s}</li>
            ))}
          </ol>
          {p.secrets.length ? (
            <p class="muted">Settings: {p.secrets.map((s) => `${s.name} ${s.set ? 'is set' : 'is not set'}`).join(' · ')}</p>
          ) : null}
          {p.example ? <pre class="mail-body">{p.example}</pre> : null}
        </details>
      ))}
    </section>
  )
}
