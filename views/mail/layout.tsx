import { raw } from 'hono/html'
import type { Child } from 'hono/jsx'

// Staff mail as HTML: one column for a phone, inline styles only (mail clients drop <style>),
// no images or scripts. Every value is escaped by hono/jsx, customer-written text included.

export const font = 'font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif'
export const linkStyle = 'color:#1a56db'
export const mutedStyle = 'color:#5b6373;font-size:14px'

/** What a mail view hands the mailer. */
export type RenderedMail = { subject: string; text: string; html: string }

/** A complete HTML document around one mail's content. */
export function MailDocument({ title, children }: { title: string; children: Child }) {
  return (
    <html>
      <head>
        {/* Fixed markup, written as mail HTML usually is (no XML-style self-closing tags). */}
        {raw('<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">')}
        <title>{title}</title>
      </head>
      <body style="margin:0;padding:0;background:#f5f6f8">
        <div style={`max-width:600px;margin:0 auto;padding:16px;${font};font-size:16px;line-height:1.45;color:#1d2330`}>{children}</div>
      </body>
    </html>
  )
}

export function Paragraph({ children }: { children: Child }) {
  return <p style="margin:0 0 12px">{children}</p>
}

export function ButtonLink({ href, children }: { href: string; children: Child }) {
  return (
    <a href={href} style={`font-weight:600;${linkStyle}`}>
      {children}
    </a>
  )
}

/** The HTML text of a mail view, with its doctype (a JSX node renders itself through toString). */
export async function renderMailHtml(node: Child): Promise<string> {
  return `<!doctype html>${await (node as { toString(): string | Promise<string> }).toString()}`
}
