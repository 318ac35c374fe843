import type { Child } from 'hono/jsx'
import { styles } from './styles.ts'

export type LayoutProps = { title: string; nonce?: string; orgName?: string; children: Child }

export function Layout({ title, nonce, orgName, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{title} · Escalation Desk</title>
        <style nonce={nonce}>{styles}</style>
        <script nonce={nonce} src="/static/htmx.min.js" defer></script>
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/">Escalation Desk</a>
          {orgName ? <span class="org">{orgName}</span> : null}
        </header>
        <main>{children}</main>
      </body>
    </html>
  )
}

export function ErrorPage({ title, message, requestId, nonce }: { title: string; message: string; requestId: string; nonce?: string }) {
  return (
    <Layout title={title} nonce={nonce}>
      <section class="panel">
        <h1>{title}</h1>
        <p>{message}</p>
        <p class="muted">Reference: {requestId}</p>
      </section>
    </Layout>
  )
}
