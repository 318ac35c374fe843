import type { QueueRow } from '../src/cases/queries.ts'
import { caseLabel } from '../src/cases/queries.ts'
import { Layout } from './layout.tsx'

const sourceLabel: Record<string, string> = {
  ceo_inbox: 'CEO inbox', bbb: 'BBB', lawyer: 'Lawyer', regulator: 'Regulator', social: 'Social',
  direct: 'Direct', form: 'Form', csv: 'CSV',
}

export function QueuePage({ orgName, rows, nonce }: { orgName: string; rows: QueueRow[]; nonce?: string }) {
  return (
    <Layout title="Queue" nonce={nonce} orgName={orgName}>
      <h1>Open escalations</h1>
      <QueueTable rows={rows} />
    </Layout>
  )
}

export function QueueTable({ rows }: { rows: QueueRow[] }) {
  if (rows.length === 0) {
    return (
      <div id="queue" class="panel empty">
        No open escalations. Forward a complaint to the desk, or run <code>npx desk ingest message.eml</code>.
      </div>
    )
  }
  return (
    <table id="queue">
      <thead>
        <tr><th>Case</th><th>Subject</th><th>Customer</th><th>Source</th><th class="hide-narrow">Received</th><th>Status</th></tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr>
            <td><span class={`badge sev-${r.severity}`}>{r.severity}</span> {caseLabel(r.number)}</td>
            <td>{r.subject}</td>
            <td>{r.customerName ?? ''}{r.customerName && r.customerEmail ? <br /> : null}<span class="muted">{r.customerEmail ?? ''}</span></td>
            <td>{sourceLabel[r.source] ?? r.source}</td>
            <td class="hide-narrow"><time datetime={r.openedAt.toISOString()}>{r.openedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC</time></td>
            <td>{r.status.replace('_', ' ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
