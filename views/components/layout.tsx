import { raw } from 'hono/html'
import type { Child } from 'hono/jsx'
import { useRequestContext } from 'hono/jsx-renderer'
import type { AppEnv } from '../../src/http/app-env.ts'
import { portalStyles } from './portal-styles.ts'
import { styles } from './styles.ts'

/** The signed-in user shown in the header (c.get('user') fits). */
export type HeaderUser = { name: string; email: string; role: string; orgName?: string }

/** This response's CSP nonce: scripts, styles and htmx's hx-nonce gate carry it. */
export const useNonce = (): string | undefined => useRequestContext<AppEnv>().get('secureHeadersNonce')

export type LayoutProps = {
  title: string
  orgName?: string
  /** Whose header menu to show; by default the signed-in user's. null for pages meant for anyone (links, sign-in). */
  user?: HeaderUser | null
  children: Child
}

export function Layout({ title, orgName, user, children }: LayoutProps) {
  const c = useRequestContext<AppEnv>()
  const nonce = c.get('secureHeadersNonce')
  if (user === undefined) user = c.get('user') ?? null
  orgName ??= user?.orgName
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{title} · Escalation Desk</title>
        {/* raw: a <style> is not HTML-decoded, so escaping would break `>` selectors and quoted font names. */}
        <style nonce={nonce}>{raw(styles + portalStyles)}</style>
        {/* htmx's CSP gate: only elements carrying this page's hx-nonce get htmx behaviour. */}
        <meta name="htmx-config" content='extensions:"hx-csp"' />
        <script nonce={nonce} src="/static/htmx.min.js"></script>
        <script nonce={nonce} src="/static/hx-csp.min.js"></script>
        <script nonce={nonce} src="/static/desk.js" defer></script>
      </head>
      <body>
        {/* The first thing a keyboard reaches: past the header menu, straight to the page. */}
        <a class="skip-link" href="#main">
          Skip to the content
        </a>
        <header class="top">
          <a class="brand" href="/">
            Escalation Desk
          </a>
          {orgName ? <span class="org">{orgName}</span> : null}
          {user ? <HeaderSearch /> : null}
          {user ? <UserMenu user={user} /> : null}
        </header>
        <main id="main" tabindex={-1}>
          {children}
        </main>
      </body>
    </html>
  )
}

/** Every page's search: words of a case, its customer, its reference or its thread, or ESC-1042 to open it. */
function HeaderSearch() {
  return (
    <form class="header-search" method="get" action="/search" role="search">
      <label class="visually-hidden" for="header-search">
        Find a case
      </label>
      <input type="search" id="header-search" name="q" placeholder="Find a case: name, ESC-1042, words" autocomplete="off" />
    </form>
  )
}

function UserMenu({ user }: { user: HeaderUser }) {
  return (
    <nav class="user-menu" aria-label="Main">
      {user.role === 'admin' ? (
        // Sixteen settings pages: folded under one disclosure (no script), so the header stays a
        // line on a laptop and a few lines on a phone.
        <details class="admin-menu">
          <summary>Admin</summary>
          <div>
            <a href="/admin/organization">Organization</a>
            <a href="/admin/users">Users</a>
            <a href="/admin/second-factor">Second factor</a>
            <a href="/admin/api-tokens">API tokens</a>
            <a href="/admin/sso">Single sign-on</a>
            <a href="/admin/settings">Settings</a>
            <a href="/admin/drafting">Drafting</a>
            <a href="/admin/templates">Templates</a>
            <a href="/admin/digest">Digest</a>
            <a href="/admin/reviews">Reviews</a>
            <a href="/admin/webhooks">Webhooks</a>
            <a href="/admin/chat">Slack and Teams</a>
            <a href="/admin/stakeholders">Stakeholders</a>
            <a href="/admin/quarantine">Quarantine</a>
            <a href="/admin/privacy">Privacy</a>
            <a href="/admin/setup">Set-up</a>
          </div>
        </details>
      ) : null}
      <a href="/cases">All cases</a>
      <a href="/metrics">Metrics</a>
      {user.role !== 'agent' ? <a href="/reports/severity">Overrides</a> : null}
      <a href="/sessions">Sessions</a>
      <span title={user.email}>
        {user.name || user.email} <span class="muted">({user.role})</span>
      </span>
      <a href="/second-factor">Your second factor</a>
      {/* A plain form POST: same-origin, so the CSRF check passes; no script needed. */}
      <form method="post" action="/sign-out" class="inline">
        <button type="submit" class="link">
          Sign out
        </button>
      </form>
    </nav>
  )
}

export function ErrorPage({ title, message, requestId }: { title: string; message: string; requestId: string }) {
  return (
    <Layout title={title} user={null}>
      <section class="panel">
        <h1>{title}</h1>
        <p>{message}</p>
        <p class="muted">Reference: {requestId}</p>
      </section>
    </Layout>
  )
}
