import { withOrg, type Db, type Tx } from '../db.ts'
import { digestRecipients, loadNotificationSettings } from '../digest/settings.ts'
import { loadDraftSettings } from '../drafts/settings.ts'
import type { Env } from '../env.ts'
import { mailboxAddress } from '../outbound/identity.ts'
import { probeHealthz, probeModel, probeResendDomains, type Probe, type ResendDomain } from './probes.ts'
import {
  activeApproversAndAdmins,
  appliedMigrations,
  findSetupOrg,
  lastDeliveries,
  listTestCases,
  otherProviders,
  sendAsAddresses,
  type SetupOrg,
  type TestCase,
} from './queries.ts'
import { testAddress } from './test-message.ts'

// What going live needs, checked live, one verdict each with what to do when it fails. One
// module for /admin/setup and `desk doctor`, so the page and the command never disagree.

export type CheckId =
  'database' | 'organization' | 'public_url' | 'sending' | 'inbound' | 'test_message' | 'digest' | 'approvers' | 'drafting'

export type Check = {
  id: CheckId
  title: string
  ok: boolean
  /** What was found, in one sentence. */
  summary: string
  /** What to do about it; null when it passes. */
  fix: string | null
  /** Detail lines (one per provider, per domain…), shown under the summary. */
  lines: string[]
}

export const checkTitles: Record<CheckId, string> = {
  database: 'Database',
  organization: 'Organization',
  public_url: 'Public URL',
  sending: 'Sending mail',
  inbound: 'Receiving mail',
  test_message: 'Test message',
  digest: 'Daily digest',
  approvers: 'Approvers',
  drafting: 'AI drafting',
}

const pass = (id: CheckId, summary: string, lines: string[] = []): Check => ({
  id,
  title: checkTitles[id],
  ok: true,
  summary,
  fix: null,
  lines,
})
const fail = (id: CheckId, summary: string, fix: string, lines: string[] = []): Check => ({
  id,
  title: checkTitles[id],
  ok: false,
  summary,
  fix,
  lines,
})

export type SetupContext = {
  db: Db
  env: Env
  /** The migration files this code ships (null where the runtime cannot read sql/, e.g. Workers). */
  migrationFiles: string[] | null
  fetch?: typeof fetch
  now?: Date
}

/** The checks that do not depend on an organization, and the outside answers the others share. */
export type ServerChecks = {
  database: Check
  publicUrl: Check
  resend: (Probe<ResendDomain[]> & { restricted?: boolean }) | null
  model: Probe<{ model: string }> | null
}

export async function checkServer(ctx: SetupContext): Promise<ServerChecks> {
  const { env } = ctx
  const [database, publicUrl, resend, model] = await Promise.all([
    checkDatabase(ctx),
    checkPublicUrl(env, ctx.fetch),
    env.RESEND_API_KEY ? probeResendDomains(env.RESEND_API_KEY, env.RESEND_BASE_URL) : null,
    env.OPENAI_API_KEY ? probeModel({ ...env, OPENAI_API_KEY: env.OPENAI_API_KEY }) : null,
  ])
  return { database, publicUrl, resend, model }
}

export type OrgChecks = { org: SetupOrg; checks: Check[]; testCases: TestCase[] }

/** Every check for one org, in the order the page and the command show them. */
export async function checkOrg(ctx: SetupContext, server: ServerChecks, orgId: string): Promise<OrgChecks | null> {
  return withOrg(ctx.db, orgId, async (tx) => {
    const org = await findSetupOrg(tx, orgId)
    if (!org) return null
    const testCases = await listTestCases(tx)
    const checks = [
      server.database,
      server.publicUrl,
      checkSending(ctx.env, org, await sendAsAddresses(tx), server.resend),
      await checkInbound(tx, ctx.env, org, ctx.now ?? new Date()),
      checkTestMessage(org, testCases, ctx.now ?? new Date()),
      await checkDigest(tx, ctx.env, orgId),
      await checkApprovers(tx),
      await checkDrafting(tx, ctx.env, orgId, server.model),
    ]
    return { org, checks, testCases }
  })
}

export const allPass = (checks: Check[]) => checks.every((c) => c.ok)

/** The test-message check alone: database only, cheap enough for a page that polls. */
export async function checkTestMessageOnly(db: Db, orgId: string, now = new Date()): Promise<Check | null> {
  return withOrg(db, orgId, async (tx) => {
    const org = await findSetupOrg(tx, orgId)
    return org ? checkTestMessage(org, await listTestCases(tx), now) : null
  })
}

async function checkDatabase(ctx: SetupContext): Promise<Check> {
  let applied: string[]
  try {
    applied = await appliedMigrations(ctx.db)
  } catch (error) {
    return fail(
      'database',
      `The database cannot be reached: ${(error as Error).message}.`,
      'Check DATABASE_URL (or, without it, that the embedded PostgreSQL in DATA_DIR can start) and that PostgreSQL is running.',
    )
  }
  const latest = applied.at(-1) ?? 'none'
  if (!ctx.migrationFiles) {
    return pass(
      'database',
      `Reachable; ${applied.length} migrations applied (latest ${latest}). This runtime cannot list sql/ to compare; \`desk doctor\` can.`,
    )
  }
  const missing = ctx.migrationFiles.filter((name) => !applied.includes(name))
  const unknown = applied.filter((name) => !ctx.migrationFiles!.includes(name))
  if (unknown.length) {
    return fail(
      'database',
      `The database has migrations this code does not know: ${unknown.join(', ')}.`,
      'Deploy the code those migrations came with; migrations never run backwards.',
    )
  }
  if (missing.length) {
    return fail(
      'database',
      `Reachable, but ${missing.length} migration${missing.length === 1 ? ' is' : 's are'} not applied: ${missing.join(', ')}.`,
      'Run `desk migrate` (the server also applies them when it starts).',
    )
  }
  return pass('database', `Reachable; all ${applied.length} migrations applied (latest ${latest}).`)
}

const isLoopback = (host: string) => host === 'localhost' || host === '[::1]' || /^127\./.test(host)

async function checkPublicUrl(env: Env, fetchImpl?: typeof fetch): Promise<Check> {
  // The default, `http://localhost:<PORT>` of this process or of the running server the CLI asked.
  if (/^http:\/\/localhost:\d+$/.test(env.PUBLIC_URL)) {
    return fail(
      'public_url',
      `PUBLIC_URL is not set: links in mail point at ${env.PUBLIC_URL}, which only this machine can open.`,
      'Set PUBLIC_URL to the https:// address customers, approvers and mail providers reach this desk at.',
    )
  }
  const reached = await probeHealthz(env.PUBLIC_URL, fetchImpl)
  if (!reached.ok) {
    return fail(
      'public_url',
      `PUBLIC_URL is ${env.PUBLIC_URL}, but ${reached.reason}.`,
      'Check DNS, the proxy or load balancer in front of the desk, and that the server is running; the address must answer /healthz.',
    )
  }
  const host = new URL(env.PUBLIC_URL).hostname
  const where = isLoopback(host) ? ' (a loopback address: only this machine can follow these links)' : ''
  return pass('public_url', `${env.PUBLIC_URL} answers its health check from this server${where}.`)
}

const domainOf = (address: string) => mailboxAddress(address).split('@').pop()!.toLowerCase()

function checkSending(env: Env, org: SetupOrg, sendAs: string[], resend: ServerChecks['resend']): Check {
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

async function checkInbound(tx: Tx, env: Env, org: SetupOrg, now: Date): Promise<Check> {
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

function checkTestMessage(org: SetupOrg, testCases: TestCase[], now: Date): Check {
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

const hourText = (hour: number) => `${String(hour).padStart(2, '0')}:00`

async function checkDigest(tx: Tx, env: Env, orgId: string): Promise<Check> {
  const settings = await loadNotificationSettings(tx, orgId)
  const when = `daily at ${hourText(settings.digestHour)} ${settings.timezone}`
  if (!settings.digest_enabled) {
    return fail(
      'digest',
      'The daily digest is off: nobody is told each morning which cases are breached or at risk.',
      'Turn it on at /admin/digest.',
    )
  }
  const recipients = await digestRecipients(tx, settings)
  if (recipients.length === 0) {
    return fail(
      'digest',
      `The digest goes out ${when}, but to nobody: none of the listed recipients is an active user.`,
      'Choose recipients at /admin/digest (or leave the list empty to send it to every approver and admin).',
    )
  }
  if (!env.RESEND_API_KEY) {
    return fail(
      'digest',
      `The digest would go ${when} to ${recipients.join(', ')}, but without RESEND_API_KEY it stays in the dev mailbox.`,
      'Configure sending (above).',
    )
  }
  return pass('digest', `Sent ${when} to ${recipients.join(', ')}.`)
}

async function checkApprovers(tx: Tx): Promise<Check> {
  const people = await activeApproversAndAdmins(tx)
  const approvers = people.filter((p) => p.role === 'approver')
  const admins = people.filter((p) => p.role === 'admin')
  if (approvers.length === 0) {
    const who = admins.length
      ? `approval invites go only to the admin${admins.length === 1 ? '' : 's'} (${admins.map((a) => a.email).join(', ')})`
      : 'nobody can approve a reply'
    return fail(
      'approvers',
      `Nobody has the approver role: ${who}.`,
      'Invite the senior managers who approve replies at /admin/users, with the approver role.',
    )
  }
  return pass('approvers', `${approvers.length} approver${approvers.length === 1 ? '' : 's'}: ${approvers.map((a) => a.email).join(', ')}.`)
}

async function checkDrafting(tx: Tx, env: Env, orgId: string, model: ServerChecks['model']): Promise<Check> {
  const settings = await loadDraftSettings(tx, orgId)
  if (!settings.ai_enabled)
    return pass('drafting', 'AI drafting is off for this organization: every reply starts from a template (chosen at /admin/drafting).')
  if (!env.OPENAI_API_KEY || !model) {
    return fail(
      'drafting',
      'AI drafting is on, but OPENAI_API_KEY is not set: every draft falls back to a template.',
      'Set OPENAI_API_KEY (and OPENAI_BASE_URL for another compatible API), or turn AI drafting off at /admin/drafting.',
    )
  }
  if (!model.ok) {
    return fail(
      'drafting',
      `AI drafting is on, but ${model.reason}: drafts fall back to templates.`,
      'Check OPENAI_API_KEY, OPENAI_BASE_URL and OPENAI_MODEL.',
    )
  }
  return pass(
    'drafting',
    `AI drafting is on; the model ${model.value.model} answers at ${env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1'}.`,
  )
}
