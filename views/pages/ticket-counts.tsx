import type { TicketCount } from '../../src/playbook/queries.ts'
import { Flash, formatTime } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

type Props = { counts: TicketCount[]; notice?: string; errors?: string[]; month?: string; tickets?: string }

/** /admin/ticket-counts: the org's total tickets per month, the escalation rate's denominator. */
export function TicketCountsPage({ counts, notice, errors = [], month, tickets }: Props) {
  return (
    <Layout title="Ticket counts">
      <p class="crumbs">
        <a href="/metrics">← Metrics</a>
      </p>
      <section class="panel narrow-wide">
        <h1>Ticket counts</h1>
        <p class="muted">
          The escalation rate on the metrics page is escalations divided by all the support tickets of the same months (target: under 5%).
          Enter each month's total from your helpdesk, or import a CSV of <code>month,count</code> lines (e.g. <code>2026-11,4210</code>). A
          month entered again takes the new figure.
        </p>
        <Flash error={errors.length ? errors.join(' ') : null} notice={notice} />
        <form method="post" action="/admin/ticket-counts" class="stack">
          <label class="field">
            <span>Month</span>
            <input type="month" name="month" required value={month ?? ''} placeholder="2026-11" />
          </label>
          <label class="field">
            <span>Total tickets that month</span>
            <input type="number" name="tickets" min={0} max={100000000} step={1} required inputmode="numeric" value={tickets ?? ''} />
          </label>
          <button type="submit">Save the month</button>
        </form>
        <form method="post" action="/admin/ticket-counts/import" enctype="multipart/form-data" class="stack">
          <h2>Import</h2>
          <label class="field">
            <span>CSV file (month,count; at most 240 months)</span>
            <input type="file" name="file" accept=".csv,text/csv,text/plain" />
          </label>
          <label class="field">
            <span>Or paste the lines</span>
            <textarea name="csv" rows={4} placeholder={'month,count\n2026-10,3980\n2026-11,4210'} />
          </label>
          <button type="submit">Import</button>
        </form>
      </section>
      <section class="panel narrow-wide">
        <h2>Months entered</h2>
        {counts.length ? (
          <table class="stack-on-phone">
            <thead>
              <tr>
                <th scope="col">Month</th>
                <th scope="col">Tickets</th>
                <th scope="col">Entered</th>
              </tr>
            </thead>
            <tbody>
              {counts.map((t) => (
                <tr>
                  <th scope="row" data-label="Month">
                    {t.month}
                  </th>
                  <td data-label="Tickets">{t.tickets.toLocaleString('en')}</td>
                  <td data-label="Entered">
                    {formatTime(t.updatedAt)}
                    {t.updatedByName ? ` by ${t.updatedByName}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="muted">No month yet: the escalation rate shows "No data" until there is one.</p>
        )}
      </section>
    </Layout>
  )
}
