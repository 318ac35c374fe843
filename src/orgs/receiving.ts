import type { Env } from '../env.ts'

// How to get this org's mail into the desk, provider by provider, with the org's own values
// filled in: its inbound address, the desk's public URL, which secrets this server has. The
// secrets themselves are never shown, only whether they are set and where they go.

export type SecretState = { name: string; set: boolean }

export type ProviderSetup = {
  id: 'raw' | 'resend' | 'postmark' | 'mailgun' | 'sendgrid' | 'smtp' | 'cloudflare'
  name: string
  /** The URL (or host:port) to give the provider. */
  endpoint: string
  steps: string[]
  secrets: SecretState[]
  /** A shell example to copy, where there is one. */
  example?: string
  ready: boolean
}

type ReceivingEnv = Pick<
  Env,
  | 'PUBLIC_URL'
  | 'HOST'
  | 'SMTP_PORT'
  | 'INBOUND_SECRET'
  | 'RESEND_API_KEY'
  | 'RESEND_WEBHOOK_SECRET'
  | 'POSTMARK_INBOUND_USER'
  | 'POSTMARK_INBOUND_PASSWORD'
  | 'POSTMARK_INBOUND_TOKEN'
  | 'MAILGUN_SIGNING_KEY'
  | 'SENDGRID_INBOUND_TOKEN'
>

const regexEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The org's own values every provider's instructions use. */
type Where = {
  env: ReceivingEnv
  base: string
  url: URL
  address: string
  local: string
  domain: string
  /** The address with a case's token, as replies come back. */
  tagged: string
  /** The raw endpoint's path and query. */
  target: string
  secret: (name: keyof ReceivingEnv) => SecretState
}

/** The instructions for receiving at `address` (one of the org's inbound addresses). */
export function receivingSetup(env: ReceivingEnv, org: { slug: string }, address: string): ProviderSetup[] {
  const base = env.PUBLIC_URL.replace(/\/+$/, '')
  const at = address.lastIndexOf('@')
  const local = address.slice(0, at)
  const domain = address.slice(at + 1)
  const where: Where = {
    env,
    base,
    url: new URL(base),
    address,
    local,
    domain,
    tagged: `${local}+<case token>@${domain}`,
    target: `/inbound/raw?org=${org.slug}`,
    secret: (name) => ({ name, set: Boolean(env[name]) }),
  }
  return [signedPostSetup(where), ...webhookSetups(where), ...directSetups(where)]
}

/** The desk's own signed POST: any relay or script. */
function signedPostSetup({ env, base, target, secret }: Where): ProviderSetup {
  return {
    id: 'raw',
    name: 'Any sender (a relay, a script)',
    endpoint: `${base}${target}`,
    steps: [
      `POST the raw message (MIME) as the body to ${base}${target}.`,
      'Sign it: X-Desk-Timestamp is the time in Unix seconds, X-Desk-Signature is v2= and the hex HMAC-SHA256, keyed with INBOUND_SECRET, of "v2.<timestamp>.<path and query>", a line feed, and the body.',
      'The answer is 200 with the case once the message is stored; 5xx means retry.',
    ],
    secrets: [secret('INBOUND_SECRET')],
    example: [
      `ts=$(date +%s); target='${target}'`,
      `sig=$({ printf 'v2.%s.%s\\n' "$ts" "$target"; cat message.eml; } | openssl dgst -sha256 -hmac "$INBOUND_SECRET" -hex | sed 's/^.* //')`,
      `curl --data-binary @message.eml -H "X-Desk-Timestamp: $ts" -H "X-Desk-Signature: v2=$sig" "${base}$target"`,
    ].join('\n'),
    ready: Boolean(env.INBOUND_SECRET),
  }
}

/** Providers that receive the mail and post it to a webhook of the desk. */
function webhookSetups({ env, base, url, address, local, domain, tagged, secret }: Where): ProviderSetup[] {
  const postmarkUser = env.POSTMARK_INBOUND_USER ?? 'postmark'
  return [
    {
      id: 'resend',
      name: 'Resend',
      endpoint: `${base}/inbound/resend`,
      steps: [
        `In Resend, receive mail for ${domain} (Receiving: add the domain and its MX record), or forward ${address} to your Resend receiving address.`,
        `Webhooks → Add endpoint: ${base}/inbound/resend, event email.received.`,
        "Put the endpoint's signing secret (whsec_…) in RESEND_WEBHOOK_SECRET; RESEND_API_KEY fetches each message.",
      ],
      secrets: [secret('RESEND_WEBHOOK_SECRET'), secret('RESEND_API_KEY')],
      ready: Boolean(env.RESEND_WEBHOOK_SECRET && env.RESEND_API_KEY),
    },
    {
      id: 'postmark',
      name: 'Postmark',
      endpoint: `${url.protocol}//${postmarkUser}:PASSWORD@${url.host}${url.pathname.replace(/\/+$/, '')}/inbound/postmark`,
      steps: [
        `Forward ${address} (and ${tagged}) to your inbound stream's address, or point ${domain}'s MX at Postmark.`,
        `Inbound stream → Settings → Webhook: ${url.protocol}//${postmarkUser}:PASSWORD@${url.host}${url.pathname.replace(/\/+$/, '')}/inbound/postmark, with PASSWORD the value of POSTMARK_INBOUND_PASSWORD (or ${base}/inbound/postmark?token=… with POSTMARK_INBOUND_TOKEN).`,
        'Tick "Include raw email content in JSON payload".',
      ],
      secrets: [secret('POSTMARK_INBOUND_USER'), secret('POSTMARK_INBOUND_PASSWORD'), secret('POSTMARK_INBOUND_TOKEN')],
      ready: Boolean((env.POSTMARK_INBOUND_USER && env.POSTMARK_INBOUND_PASSWORD) || env.POSTMARK_INBOUND_TOKEN),
    },
    {
      id: 'mailgun',
      name: 'Mailgun',
      endpoint: `${base}/inbound/mailgun/mime`,
      steps: [
        `Receiving → Create route: expression match_recipient("^${regexEscape(local)}(\\+.*)?@${regexEscape(domain)}$"), action forward("${base}/inbound/mailgun/mime") (the URL must end in mime: Mailgun then posts the raw message).`,
        'Put the HTTP webhook signing key (Settings → Webhooks) in MAILGUN_SIGNING_KEY.',
      ],
      secrets: [secret('MAILGUN_SIGNING_KEY')],
      ready: Boolean(env.MAILGUN_SIGNING_KEY),
    },
    {
      id: 'sendgrid',
      name: 'SendGrid',
      endpoint: `${base}/inbound/sendgrid?token=<SENDGRID_INBOUND_TOKEN>`,
      steps: [
        `Point ${domain}'s MX (or a subdomain you forward ${address} to) at mx.sendgrid.net.`,
        `Settings → Inbound Parse → Add host and URL: ${base}/inbound/sendgrid?token= followed by the value of SENDGRID_INBOUND_TOKEN.`,
        'Tick "POST the raw, full MIME message".',
      ],
      secrets: [secret('SENDGRID_INBOUND_TOKEN')],
      ready: Boolean(env.SENDGRID_INBOUND_TOKEN),
    },
  ]
}

/** Mail handed over directly: the desk's SMTP listener, or Cloudflare Email Routing to the Worker. */
function directSetups({ env, address, domain, tagged }: Where): ProviderSetup[] {
  return [
    {
      id: 'smtp',
      name: 'SMTP',
      endpoint: `${env.HOST}:${env.SMTP_PORT}`,
      steps: [
        `Run npx desk smtp on this server; it listens on ${env.HOST}:${env.SMTP_PORT} (SMTP_PORT).`,
        `Have your mail server relay ${address} and ${tagged} to it, or point a test domain's MX at it. Keep it on a private interface: it needs no password.`,
      ],
      secrets: [],
      ready: true,
    },
    {
      id: 'cloudflare',
      name: 'Cloudflare Email Routing',
      endpoint: address,
      steps: [
        `Deploy the desk as a Worker (README: Cloudflare Workers). On ${domain}: Email → Email Routing → Routing rules → Custom address ${address} → action "Send to a Worker" → the desk's worker.`,
        `Turn on subaddressing in Email Routing's settings, so ${tagged} reaches the worker too (or route a catch-all to it).`,
      ],
      secrets: [],
      ready: true,
    },
  ]
}
