import type { ApiTokenRow } from '../../src/api/queries.ts'
import { apiScopes } from '../../src/api/tokens.ts'
import { Flash, formatTime } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

export type TokenForm = {
  values?: { name?: string; scope?: string; requestsPerMinute?: string }
  errors?: Record<string, string>
}

type Props = {
  tokens: ApiTokenRow[]
  form?: TokenForm
  /** The token just created, in the clear: on this one page, never again. */
  created?: { name: string; token: string } | null
  notice?: string | null
  error?: string | null
}

/** /admin/api-tokens: the org's tokens for /api/v1; create (shown once), list, revoke. */
export function ApiTokensPage({ tokens, form = {}, created, notice, error }: Props) {
  return (
    <Layout title="API tokens">
      <p class="crumbs">
        <a href="/">← Queue</a>
      </p>
      <h1>API tokens</h1>
      <Flash notice={notice} error={error} />
      {created ? <CreatedToken {...created} /> : null}
      <p class="muted">
        A token reads and, with the write scope, changes this organization's cases through <code>/api/v1</code> (document:{' '}
        <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>). It acts as the admin who created it and is audited as them; it never
        approves or sends a reply.
      </p>
      <TokenTable tokens={tokens} />
      <NewTokenForm form={form} />
    </Layout>
  )
}

function CreatedToken({ name, token }: { name: string; token: string }) {
  return (
    <section class="panel" id="created-token" aria-labelledby="created-token-title">
      <h2 id="created-token-title">Copy the token “{name}” now</h2>
      <p>It is shown only this once; the desk keeps only its hash.</p>
      <label for="created-token-value">Token</label>
      <input id="created-token-value" type="text" readonly value={token} size={60} />
    </section>
  )
}

function TokenTable({ tokens }: { tokens: ApiTokenRow[] }) {
  if (tokens.length === 0) return <p>No tokens yet.</p>
  // Scrolls inside itself when a name is one long word, rather than widening the page.
  return (
    <div class="table-scroll" tabindex={0} role="region" aria-label="API tokens">
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Token</th>
            <th>Scope</th>
            <th>Per minute</th>
            <th>Created</th>
            <th>Last used</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <tr id={`token-${t.id}`}>
              <td>{t.name}</td>
              <td>
                <code>
                  {t.prefix}…{t.last4}
                </code>
              </td>
              <td>{t.scope}</td>
              <td>{t.requestsPerMinute}</td>
              <td>
                {formatTime(t.createdAt)} by {t.creatorName ?? 'a former user'}
              </td>
              <td>{t.lastUsedAt ? formatTime(t.lastUsedAt) : <span class="muted">never</span>}</td>
              <td>{t.revokedAt ? <span class="muted">Revoked {formatTime(t.revokedAt)}</span> : <RevokeForm token={t} />}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function RevokeForm({ token }: { token: ApiTokenRow }) {
  return (
    <form method="post" action={`/admin/api-tokens/${token.id}/revoke`} class="inline">
      <button type="submit" class="small danger" aria-label={`Revoke ${token.name}`}>
        Revoke
      </button>
    </form>
  )
}

function NewTokenForm({ form }: { form: TokenForm }) {
  const v = form.values ?? {}
  const e = form.errors ?? {}
  return (
    <form method="post" action="/admin/api-tokens" class="panel stack">
      <h2>Create a token</h2>
      <label for="token-name">Name</label>
      <input id="token-name" name="name" required maxlength={100} value={v.name ?? ''} aria-invalid={e.name ? 'true' : undefined} />
      {e.name ? <p class="field-error">{e.name}</p> : null}
      <label for="token-scope">Scope</label>
      <select id="token-scope" name="scope">
        {apiScopes.map((s) => (
          <option value={s} selected={s === (v.scope ?? 'read')}>
            {s === 'read' ? 'read: list, search and read cases' : 'write: also create cases, add notes, change owner, severity, status'}
          </option>
        ))}
      </select>
      {e.scope ? <p class="field-error">{e.scope}</p> : null}
      <label for="token-rate">Requests per minute</label>
      <input
        id="token-rate"
        name="requestsPerMinute"
        type="number"
        min={1}
        max={6000}
        value={v.requestsPerMinute ?? '120'}
        aria-invalid={e.requestsPerMinute ? 'true' : undefined}
      />
      {e.requestsPerMinute ? <p class="field-error">{e.requestsPerMinute}</p> : null}
      <button type="submit" class="primary">
        Create token
      </button>
    </form>
  )
}
