/** An executive the org told the desk about (org_executives; src/orgs/intake-context.ts loads them). */
export type Executive = { email: string; name?: string; title?: string }

/**
 * What intake knows about the organization a message is for. Plain data: it crosses the
 * boundary into the analysis worker.
 * - `domains`: the org's own mail domains (from its inbound addresses, its users' addresses and
 *   any configured list). An address there is a colleague, never the customer.
 * - `teamAddresses`: the desk's users.
 */
export type OrgContext = {
  name?: string
  inboundAddresses: string[]
  domains: string[]
  teamAddresses: string[]
  executives: Executive[]
}

type OrgContextInput = {
  name?: string | null
  inboundAddresses?: string[]
  domains?: string[]
  teamAddresses?: string[]
  executives?: (Executive | string)[]
}

const lower = (s: string) => s.trim().toLowerCase()

export function domainOf(email: string): string {
  return email
    .slice(email.lastIndexOf('@') + 1)
    .trim()
    .toLowerCase()
}

// Public mailbox providers: a small org's desk or a user may have an address there, but the
// domain is everyone's, so it is never taken for the org's own (the address itself still is).
const PUBLIC_MAIL =
  /^(?:gmail|googlemail|outlook|hotmail|live|msn|yahoo|ymail|icloud|me|mac|aol|gmx|web|t-online|freenet|posteo|mailbox|orange|wanadoo|free|laposte|sfr|libero|virgilio|tiscali|alice|proton|protonmail|pm|fastmail|zoho|yandex|mail|ziggo|kpnmail|hetnet|telia|online|seznam|wp|onet|interia|o2)\.[a-z.]{2,12}$/

/** A public mailbox provider's domain (gmail.com, web.de…): everyone's, never one org's own. */
export const isPublicMailDomain = (domain: string): boolean => PUBLIC_MAIL.test(domain.toLowerCase())

/** Builds a normalised context; the org's domains include those of its own addresses, except public mailbox providers. */
export function orgContext(input: OrgContextInput = {}): OrgContext {
  const inboundAddresses = (input.inboundAddresses ?? []).map(lower).filter(Boolean)
  const teamAddresses = (input.teamAddresses ?? []).map(lower).filter(Boolean)
  const executives = (input.executives ?? [])
    .map((e) => (typeof e === 'string' ? { email: e } : e))
    .map((e) => ({ ...e, email: lower(e.email) }))
    .filter((e) => e.email.includes('@'))
  // Executives' own addresses say nothing about the org's domains (a founder may be configured
  // with a personal address); inbound addresses and users do.
  const derived = [...inboundAddresses, ...teamAddresses].map(domainOf).filter((d) => !PUBLIC_MAIL.test(d))
  const domains = new Set([...(input.domains ?? []).map(lower), ...derived].filter(Boolean))
  return { ...(input.name ? { name: input.name } : {}), inboundAddresses, domains: [...domains], teamAddresses, executives }
}

/** An address of the org's own domains (or a subdomain of one: mx-out.northwind.example). */
export function isOrgAddress(org: OrgContext, email: string | null | undefined): boolean {
  if (!email || !email.includes('@')) return false
  const address = lower(email)
  if (org.inboundAddresses.includes(address) || org.teamAddresses.includes(address)) return true
  const domain = domainOf(email)
  return org.domains.some((d) => domain === d || domain.endsWith(`.${d}`))
}

export function isTeamAddress(org: OrgContext, email: string | null | undefined): boolean {
  return !!email && org.teamAddresses.includes(lower(email))
}

export function configuredExecutive(org: OrgContext, email: string | null | undefined): Executive | null {
  if (!email) return null
  return org.executives.find((e) => e.email === lower(email)) ?? null
}

// No-reply addresses in every language live in their own module; re-exported for the readers here.
export { isNoReplyAddress } from './no-reply.ts'
