import type { Tx } from '../db.ts'
import type { Env } from '../env.ts'
import { mailboxAddress } from '../outbound/identity.ts'
import { lastDeliveries, otherProviders, type SetupOrg, type TestCase } from './queries.ts'
import { testAddress } from './test-message.ts'
import { fail, pass, type Check, type ServerChecks } from './verdict.ts'

// The checks of mail out and mail in for one organization: its senders, its ways in, and the
// test message that proves the way from the provider to a case.

const domainOf = (address: string) => mailboxAddress(address).split('@').pop()!.toLowerCase()

export function checkSending(env: Env, org: SetupOrg, sendAs: string[], resend: ServerChecks['resend']): Check {
  if (!env.RESEND_API_KEY || !resend) {
    return fail(
      'sending',
      'No RESEND_API_KEY: replies, approval invites and digests are kept in the dev mailbox, and nobody receives them.',
      'Create an API key at resend.com and set RESEND_API_KEY (MAIL_FROM on a domain verified there).',
    )
  }
  if (!resend.ok) {
    return fail(
      'sending',
      `${resend.reason}.`,
      resend.restricted
        ? 'This key may only send, so the desk cannot see whether your domain is verified. Give the desk a full-access key, or check the domain at resend.com/domains and run this again with one.'
        : 'Check RESEND_API_KEY (and RESEND_BASE_URL, if set) against resend.com/api-keys.',
    )
  }
  const senders = [...new Set([env.MAIL_FROM, org.replyFrom, ...sendAs].filter((s): s is string => Boolean(s)))]
  const domains = [...new Set(senders.map(domainOf))]
  const lines = domains.map((name) => {
    const found = resend.value.find((d) => d.name === name)
    if (!found) return { name, ok: false, line: `${name}: not a domain of this Resend account` }
    if (found.status !== 'verified')
      return { name, ok: false, line: `${name}: ${found.status.replaceAll('_', ' ')} at Resend (its DNS records are not all found yet)` }
    if (!found.sending) return { name, ok: false, line: `${name}: verified, but sending is disabled for it at Resend` }
    return { name, ok: true, line: `${name}: verified` }
  })
  const bad = lines.filter((l) => !l.ok)
  if (bad.length) {
    return fail(
      'sending',
      `Resend accepts the key, but mail From ${bad.map((b) => b.name).join(', ')} cannot be sent.`,
      "Add the domain at resend.com/domains and publish the DNS records it shows (SPF, DKIM); or change MAIL_FROM / the organization's sender to a verified domain.",
      lines.map((l) => l.line),
    )
  }
  return pass(
    'sending',
    `Resend accepts the key, and ${domains.join(', ')} ${domains.length === 1 ? 'is' : 'are'} verified for sending.`,
    lines.map((l) => l.line),
  )
}

type InboundProvider = { id: string; label: string; secret: string | null; configured: (env: Env) => boolean }

/** Every way mail comes in; `secret` names what must be set for the endpoint to accept mail. */
const inboundProviders: InboundProvider[] = [
  { id: 'raw', label: 'Signed POST /inbound/raw', secret: 'INBOUND_SECRET', configured: (e) => Boolean(e.INBOUND_SECRET) },
  {
    id: 'resend',
    label: 'Resend inbound',
    secret: 'RESEND_WEBHOOK_SECRET and RESEND_API_KEY',
    configured: (e) => Boolean(e.RESEND_WEBHOOK_SECRET && e.RESEND_API_KEY),
  },
  {
    id: 'postmark',
    label: 'Postmark',
    secret: 'POSTMARK_INBOUND_USER and POSTMARK_INBOUND_PASSWORD, or POSTMARK_INBOUND_TOKEN',
    configured: (e) => Boolean((e.POSTMARK_INBOUND_USER && e.POSTMARK_INBOUND_PASSWORD) || e.POSTMARK_INBOUND_TOKEN),
  },
  { id: 'mailgun', label: 'Mailgun', secret: 'MAILGUN_SIGNING_KEY', configured: (e) => Boolean(e.MAILGUN_SIGNING_KEY) },
  {
    id: 'sendgrid',
    label: 'SendGrid Inbound Parse',
    secret: 'SENDGRID_INBOUND_TOKEN',
    configured: (e) => Boolean(e.SENDGRID_INBOUND_TOKEN),
  },
  // No secret of their own: the SMTP listener sits on a private interface, Email Routing hands
  // mail to the Worker directly. In use once mail has come through them.
  { id: 'smtp', label: 'SMTP listener (desk smtp)', secret: null, configured: () => false },
  { id: 'cloudflare', label: 'Cloudflare Email Routing', secret: null, configured: () => false },
]

function ago(then: Date, now: Date): string {
  const minutes = Math.max(0, Math.round((now.getTime() - then.getTime()) / 60_000))
  if (minutes < 1) return 'just now'
  if (minutes < 90) return `${minutes} min ago`
  const hours = Math.round(minutes / 60)
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} days ago`
}

export async function checkInbound(tx: Tx, env: Env, org: SetupOrg, now: Date): Promise<Check> {
  if (org.inboundAddresses.length === 0) {
    return fail(
      'inbound',
      'This organization receives mail at no address.',
      'Add its escalations address on the organization page (or `desk org set SLUG --inbound …`).',
    )
  }
  const seen = await lastDeliveries(
    tx,
    inboundProviders.map((p) => p.id),
  )
  const inUse = inboundProviders.filter((p) => p.configured(env) || seen.has(p.id))
  const lines = inUse.map((p) => {
    const last = seen.get(p.id)
    const secret = p.secret ? (p.configured(env) ? 'secret set' : `${p.secret} not set, so it refuses mail now`) : 'no secret needed'
    return `${p.label}: ${secret}; last delivery ${last ? `${ago(last, now)} (${last.toISOString()})` : 'never'}`
  })
  const others = await otherProviders(tx, [...inboundProviders.map((p) => p.id), 'cli'])
  lines.push(...others.map((p) => `${p}: mail arrived through it`))
  const refusing = inUse.filter((p) => p.secret && !p.configured(env))
  if (refusing.length) {
    return fail(
      'inbound',
      `Mail came in through ${refusing.map((p) => p.label).join(', ')}, which now refuses it.`,
      `Set ${refusing.map((p) => p.secret).join('; ')}.`,
      lines,
    )
  }
  if (inUse.length === 0) {
    return fail(
      'inbound',
      `No way in is configured: mail to ${org.inboundAddresses.join(', ')} cannot reach the desk.`,
      'Set INBOUND_SECRET (any relay or script), or the secret of your provider (RESEND_WEBHOOK_SECRET, POSTMARK_INBOUND_TOKEN, MAILGUN_SIGNING_KEY, SENDGRID_INBOUND_TOKEN), and point it at this desk: the organization page shows the exact URLs.',
    )
  }
  return pass('inbound', `${org.inboundAddresses.join(', ')}: mail can come in through ${inUse.map((p) => p.label).join(', ')}.`, lines)
}

export function checkTestMessage(org: SetupOrg, testCases: TestCase[], now: Date): Check {
  const to = testAddress(org)
  const last = testCases[0]
  if (!last) {
    return fail(
      'test_message',
      'No test message has arrived yet: the way from your mail provider to a case is not proven.',
      to
        ? `Send a message to ${to} (from any mailbox, or with the command on /admin/setup); it arrives as a test case you can discard.`
        : 'Give the organization an inbound address first.',
    )
  }
  const via = last.provider ? ` through ${last.provider}` : ''
  return pass(
    'test_message',
    `A test message arrived ${ago(last.createdAt, now)}${via} as ESC-${last.number}${last.discarded ? ' (discarded since)' : ''}.`,
  )
}
