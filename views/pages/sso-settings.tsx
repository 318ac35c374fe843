import type { AdminChoice } from '../../src/auth/oidc-queries.ts'
import { Flash } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

/** What the form shows: the settings as stored (or as typed after an error), and a hint (never the value) of the secret. */
export type SsoSettingsView = {
  enabled: boolean
  issuerUrl: string
  clientId: string
  secretHint: string | null
  allowedDomains: string
  requireSso: boolean
  breakGlassUserId: string
  idleMinutes: string
  admins: AdminChoice[]
  redirectUri: string
  signInUrl: string
}

type Props = {
  view: SsoSettingsView
  errors?: Record<string, string>
  notice?: string
}

function FieldError({ message }: { message?: string }) {
  return message ? <p class="field-error">{message}</p> : null
}

/** GET /admin/sso and the answer to its form. */
export function SsoSettingsPage({ view, errors = {}, notice }: Props) {
  return (
    <Layout title="Single sign-on and sessions">
      <p class="crumbs">
        <a href="/">← Queue</a>
      </p>
      <h1>Single sign-on and sessions</h1>
      <Flash error={errors.form} notice={notice} />
      <form method="post" action="/admin/sso" class="panel stack" id="sso-settings">
        <h2>OpenID Connect provider</h2>
        <p class="muted">
          Google Workspace, Microsoft Entra ID, Okta or any OpenID Connect provider. Register a web application there with this redirect
          URI: <code class="break">{view.redirectUri}</code>
        </p>
        <label class="checkbox">
          <input type="checkbox" name="enabled" checked={view.enabled} /> Sign in with this provider
        </label>
        <TextField
          name="issuer_url"
          label="Issuer URL"
          value={view.issuerUrl}
          placeholder="https://accounts.google.com"
          error={errors.issuer_url}
        />
        <TextField
          name="client_id"
          label="Client ID"
          value={view.clientId}
          placeholder="from the provider's app registration"
          error={errors.client_id}
        />
        <div class="field">
          <label for="client_secret">Client secret</label>
          <input
            type="password"
            id="client_secret"
            name="client_secret"
            autocomplete="off"
            placeholder={view.secretHint ? `${view.secretHint} (leave empty to keep)` : 'none: a public client with PKCE'}
          />
          <small class="muted">{view.secretHint ? `Stored: ${view.secretHint}.` : 'Not set.'} Kept sealed; never shown again.</small>
          {view.secretHint ? (
            <label class="checkbox">
              <input type="checkbox" name="clear_client_secret" /> Remove it
            </label>
          ) : null}
          <FieldError message={errors.client_secret} />
        </div>
        <div class="field">
          <label for="allowed_domains">Allowed email domains</label>
          <input
            type="text"
            id="allowed_domains"
            name="allowed_domains"
            value={view.allowedDomains}
            placeholder="example.com, example.co.uk"
          />
          <small class="muted">
            People whose verified address is at one of these sign in through the provider; the first time, they become agents (admins set
            roles). Addresses elsewhere are refused by the provider route.
          </small>
          <FieldError message={errors.allowed_domains} />
        </div>

        <h2>Who must use it</h2>
        <label class="checkbox">
          <input type="checkbox" name="require_sso" checked={view.requireSso} /> Require single sign-on for people of the allowed domains
        </label>
        <small class="muted">
          Their emailed links stop working. Links keep working for the break-glass admin and for people outside the company (an address at
          another domain, such as an outside approver).
        </small>
        <FieldError message={errors.require_sso} />
        <div class="field">
          <label for="break_glass_user_id">Break-glass admin</label>
          <select id="break_glass_user_id" name="break_glass_user_id">
            <option value="">None</option>
            {view.admins.map((a) => (
              <option value={a.id} selected={a.id === view.breakGlassUserId}>
                {a.name ? `${a.name} <${a.email}>` : a.email}
              </option>
            ))}
          </select>
          <small class="muted">The way back in with an emailed link when the provider is down or misconfigured.</small>
          <FieldError message={errors.break_glass_user_id} />
        </div>

        <h2>Sessions</h2>
        <TextField
          name="idle_minutes"
          label="Idle timeout (minutes)"
          value={view.idleMinutes}
          placeholder="empty: only the 14-day lifetime"
          error={errors.idle_minutes}
        />
        <button type="submit">Save</button>
      </form>
      <section class="panel">
        <h2>Test sign-in</h2>
        <p>
          After saving, open <code class="break">{view.signInUrl}</code> in a private window: it should reach the provider and come back
          signed in. Keep this session open until it works.
        </p>
        <p>
          <a href="/sessions">Sessions</a>: who is signed in, from where, and ending a session.
        </p>
      </section>
    </Layout>
  )
}

function TextField(props: { name: string; label: string; value: string; placeholder: string; error?: string }) {
  return (
    <div class="field">
      <label for={props.name}>{props.label}</label>
      <input type="text" id={props.name} name={props.name} value={props.value} placeholder={props.placeholder} />
      <FieldError message={props.error} />
    </div>
  )
}
