import { z } from 'zod'
import { isPublicMailDomain } from '../intake/org-context.ts'
import { isValidTimeZone } from '../sla/zoned-time.ts'
import { mailboxProblem } from '../outbound/headers.ts'

// What an organization's settings may hold, checked the same way for `desk org` and the
// organization page. Each check answers a value or one sentence saying what is wrong.

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string }

const ok = <T>(value: T): Checked<T> => ({ ok: true, value })
const bad = (problem: string): Checked<never> => ({ ok: false, problem })

// The addresses browsers accept in <input type=email>, as the outbound header boundary does.
const email = z.email({ pattern: z.regexes.html5Email }).max(320)
const hostname = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/
const slugPattern = /^[a-z0-9][a-z0-9-]{1,62}$/

/** A list typed by a person: commas, semicolons, spaces or line breaks between the items. */
export const splitList = (text: string): string[] => [
  ...new Set(
    text
      .split(/[\s,;]+/)
      .map((s) => s.trim())
      .filter(Boolean),
  ),
]

export function checkEmail(value: string): Checked<string> {
  const address = value.trim().replace(/^<|>$/g, '').toLowerCase()
  return email.safeParse(address).success ? ok(address) : bad(`"${value}" is not an email address`)
}

export function checkEmails(values: string[]): Checked<string[]> {
  const addresses: string[] = []
  for (const value of values) {
    const checked = checkEmail(value)
    if (!checked.ok) return checked
    if (!addresses.includes(checked.value)) addresses.push(checked.value)
  }
  return ok(addresses)
}

/**
 * Inbound addresses: one or more, and none with a "+": replies come back to
 * `local+<case token>@domain`, which routing reads as `local@domain`, so an address with a tag of
 * its own could never receive them.
 */
export function checkInboundAddresses(values: string[]): Checked<string[]> {
  const checked = checkEmails(values)
  if (!checked.ok) return checked
  if (checked.value.length === 0) return bad('give at least one inbound address, e.g. escalations@acme.com')
  const tagged = checked.value.find((a) => a.slice(0, a.lastIndexOf('@')).includes('+'))
  if (tagged)
    return bad(
      `${tagged}: an inbound address cannot contain "+" (replies arrive at ${tagged.slice(0, tagged.indexOf('+'))}+<case token>@…)`,
    )
  return checked
}

/** The org's own mail domains; never a public provider, or every customer there would be a colleague. */
export function checkDomains(values: string[]): Checked<string[]> {
  const domains: string[] = []
  for (const value of values) {
    const domain = value.trim().replace(/^@/, '').replace(/\.$/, '').toLowerCase()
    if (!hostname.test(domain)) return bad(`"${value}" is not a domain name like acme.com`)
    if (isPublicMailDomain(domain))
      return bad(`${domain} is a public mail provider: every customer with an address there would count as a colleague`)
    if (!domains.includes(domain)) domains.push(domain)
  }
  return ok(domains)
}

/** An IANA time zone, stored under its canonical name (europe/berlin → Europe/Berlin). */
export function checkTimeZone(value: string): Checked<string> {
  const zone = value.trim()
  if (!zone || !isValidTimeZone(zone))
    return bad(`"${value}" is not a time zone; use an IANA name such as Europe/Berlin or America/New_York`)
  return ok(new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone)
}

export function checkSlug(value: string): Checked<string> {
  return slugPattern.test(value)
    ? ok(value)
    : bad(`"${value}" is not a slug: 2 to 63 lower-case letters, digits and hyphens, starting with a letter or digit`)
}

export function checkOrgName(value: string): Checked<string> {
  const name = value.trim()
  if (!name) return bad('give the organization a name')
  if (name.length > 200) return bad('keep the name under 200 characters')
  if (/[\p{Cc}]/u.test(name)) return bad('the name cannot contain line breaks or control characters')
  return ok(name)
}

/**
 * The sender of customer replies: one mailbox, `Acme Support <support@acme.com>` or a bare
 * address, checked by the same rule the outbound boundary applies to every mail. Empty: the
 * desk's MAIL_FROM.
 */
export function checkReplyFrom(value: string): Checked<string | null> {
  const from = value.trim()
  if (!from) return ok(null)
  const problem = mailboxProblem(from)
  return problem ? bad(`the sender ${problem}; write it as Acme Support <support@acme.com>`) : ok(from)
}
