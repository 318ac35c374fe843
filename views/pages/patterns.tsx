import { caseLabel, sourceLabel } from '../../src/cases/terms.ts'
import { PATTERN_DAYS, type PatternCase, type Patterns } from '../../src/recovery/patterns.ts'
import { Layout } from '../components/layout.tsx'
import { formatTime } from '../components/parts.tsx'

// The pattern view: what escalated more than once in the last 90 days, by customer, by source
// and type, and by root-cause tag, so the same issue escalating repeatedly is seen.

function CaseLinks({ cases }: { cases: PatternCase[] }) {
  return (
    <span class="pattern-cases">
      {cases.map((c, i) => (
        <>
          {i ? ', ' : ''}
          <a href={`/cases/${c.id}`} title={c.subject}>
            {caseLabel(c.number)}
          </a>{' '}
          <span class="muted">{c.severity}</span>
        </>
      ))}
    </span>
  )
}

export function PatternsPage({ patterns }: { patterns: Patterns }) {
  const { customers, types, tags } = patterns
  return (
    <Layout title="Patterns">
      <p class="crumbs">
        <a href="/metrics">← Metrics</a>
      </p>
      <h1>Patterns</h1>
      <p class="muted">
        Cases opened in the last {PATTERN_DAYS} days (since {formatTime(patterns.since)}), merged cases left out.
      </p>
      <section class="panel">
        <h2>Customers who escalated more than once</h2>
        {customers.length ? (
          <div class="table-scroll" tabindex={0} role="region" aria-label="Repeat escalations by customer">
            <table>
              <thead>
                <tr>
                  <th>Customer</th>
                  <th>Cases</th>
                  <th>Latest</th>
                  <th>Recent cases</th>
                </tr>
              </thead>
              <tbody>
                {customers.map((p) => (
                  <tr>
                    <td class="break">
                      {p.customer}
                      {p.isAccount ? <span class="muted"> (account)</span> : null}
                    </td>
                    <td>{p.cases}</td>
                    <td>{formatTime(p.lastOpenedAt)}</td>
                    <td>
                      <CaseLinks cases={p.recent} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="muted">No customer escalated twice.</p>
        )}
      </section>
      <section class="panel">
        <h2>By source and type</h2>
        {types.length ? (
          <div class="table-scroll" tabindex={0} role="region" aria-label="Cases by source and type">
            <table>
              <thead>
                <tr>
                  <th>Source</th>
                  <th>Type</th>
                  <th>Cases</th>
                  <th>SEV-1/2</th>
                </tr>
              </thead>
              <tbody>
                {types.map((t) => (
                  <tr>
                    <td>{sourceLabel(t.source)}</td>
                    <td>{t.caseType}</td>
                    <td>{t.cases}</td>
                    <td>{t.severe}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="muted">No cases.</p>
        )}
      </section>
      <section class="panel">
        <h2>By root-cause tag</h2>
        {tags.length ? (
          <div class="table-scroll" tabindex={0} role="region" aria-label="Cases by root-cause tag">
            <table>
              <thead>
                <tr>
                  <th>Tag</th>
                  <th>Cases</th>
                  <th>Recent cases</th>
                </tr>
              </thead>
              <tbody>
                {tags.map((t) => (
                  <tr class={t.cases > 1 ? 'overdue' : ''}>
                    <td class="break">{t.tag}</td>
                    <td>{t.cases}</td>
                    <td>
                      <CaseLinks cases={t.recent} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="muted">No review has root-cause tags yet: add them in each case's review.</p>
        )}
      </section>
    </Layout>
  )
}
