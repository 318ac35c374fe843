// The consumer a complaints body's notice names: labelled ("Consumer Information / Name",
// "Complainant:"), introduced in its prose ("complaint from Mr …", "plainte de Mme …"), never
// the body's own staff or the org's people; and the consumer's address, never the body's, the
// org's or a machine's.
import { bodyOfDomain, GOVERNMENT_DOMAIN } from './bodies.ts'
import { displayName, isFullerName, looksLikePersonName, nameTokens, readNameAt, stripHonorifics } from './names.ts'
import type { NoticeDoc, Person } from './notice-types.ts'
import { CONSUMER_INTRO, CONSUMER_LABEL, EMAIL_LABEL, STAFF_LABEL, STAFF_TITLE } from './notice-words.ts'
import { domainOf, isNoReplyAddress, isOrgAddress, type OrgContext } from './org-context.ts'
import { PLATFORM_DOMAIN } from './reviews.ts'
import { EMAIL_IN_TEXT, excerpt, flat, signatureLines } from './text.ts'

// Honorifics that open a name in a notice's prose, in the languages of the EU/EEA.
const HONORIFIC_START =
  /(?<![\p{L}])(?:Mr|Mrs|Ms|Miss|Mx|Herrn?|Frau|Mme|Monsieur|Madame|Dña|Sra|Sr|Sig\.ra|Sig|de heer|mevrouw|Pan|Pani|Pana|Panią|pan|paní|pana|Hr|Fru|Dl|Dna|Exmo|Exma|Senhora?)\.?\s(?=\p{Lu})/gu
// Prose that introduces the consumer, matched at every place in the notice.
const CONSUMER_PROSE = new RegExp(CONSUMER_INTRO.source, 'giu')

type Candidate = { name: string; weight: number; reason: string; at: number }

export function noticeConsumer(doc: NoticeDoc, lines: string[], org: OrgContext): { person: Person; reasons: string[] } {
  const staff = staffNames(doc, lines)
  const candidates: Candidate[] = []
  const consider = (raw: string | null, weight: number, reason: string, at: number) => {
    const name = raw ? cleanName(raw) : null
    if (!name || staff.some((s) => sameOrPart(s, name))) return
    candidates.push({ name, weight, reason, at })
  }
  for (const [i, line] of lines.entries()) {
    const m = CONSUMER_LABEL.exec(line)
    if (!m) continue
    const value = m[1]!.trim() || lines[i + 1] || ''
    consider(value.split(/,| - | · |\(/)[0]!, 3, `the notice names '${excerpt(line, 50)}'`, i)
  }
  const written = `${doc.subject}\n${doc.text.slice(0, 30_000)}`
  const text = flat(written)
  for (const m of text.matchAll(CONSUMER_PROSE))
    consider(
      readNameAt(text, m.index + m[0].length, { allowCompany: true }),
      2,
      `the notice says '${excerpt(text.slice(m.index, m.index + m[0].length + 30), 60)}'`,
      m.index,
    )
  for (const m of written.matchAll(/^(.{3,60}?) has (?:reviewed|rejected|accepted|responded to) (?:the|your) response/gimu))
    consider(m[1]!, 2, `the notice says '${excerpt(m[0], 60)}'`, m.index)
  for (const m of text.matchAll(/\b(?:case|complaint|file)\s(?:no\.?|#|number)\s?[\w/-]{3,30}\s[-–]\s/giu))
    consider(
      readNameAt(text, m.index + m[0].length),
      2,
      `the notice's reference line names '${excerpt(text.slice(m.index + m[0].length, m.index + m[0].length + 30), 40)}'`,
      m.index,
    )
  for (const m of text.slice(0, 6000).matchAll(HONORIFIC_START))
    consider(readNameAt(text, m.index), 1, `the notice mentions '${excerpt(text.slice(m.index, m.index + 30), 40)}'`, m.index)
  const best = pickName(candidates)
  const email = consumerEmail(doc, lines, org, best?.name ?? null)
  return {
    person: { name: best?.name ?? null, email: email?.email ?? null },
    reasons: [
      ...(best ? [best.reason] : ['the notice names no consumer']),
      ...(email ? [email.reason] : ['the notice gives no address for the consumer']),
    ],
  }
}

/** The highest-weight name, replaced by a fuller spelling of it when one exists. */
function pickName(candidates: Candidate[]): Candidate | null {
  if (candidates.length === 0) return null
  const sorted = [...candidates].sort((a, b) => b.weight - a.weight || a.at - b.at)
  let best = sorted[0]!
  for (const c of candidates)
    if (isFullerName(c.name, best.name) && !/^\p{Lu}\.?$/u.test(nameTokens(c.name)[0] ?? '')) best = { ...c, reason: best.reason }
  return best
}

function cleanName(raw: string): string | null {
  const name = stripHonorifics(raw.replace(/["“”]/g, '').replace(/\s+/g, ' ').trim()).replace(/[.,;:]$/, '')
  return looksLikePersonName(name, { allowCompany: true }) ? name : null
}

function sameOrPart(staff: string, name: string): boolean {
  const s = nameTokens(staff)
  const n = nameTokens(name)
  return n.length > 0 && n.every((w) => s.includes(w))
}

/**
 * People of the body (who signs, who sent it, who handles the case) and of the org (whom it is
 * addressed to): never the consumer.
 */
function staffNames(doc: NoticeDoc, lines: string[]): string[] {
  const names = [displayName(doc.from?.name), ...doc.to.map((t) => displayName(t.name))]
  const signature = signatureLines(doc.text, 10)
  for (const line of signature) if (looksLikePersonName(stripHonorifics(line))) names.push(line)
  for (const [i, line] of lines.entries()) {
    const labelled = STAFF_LABEL.exec(line)
    if (labelled) names.push(stripHonorifics(labelled[1]!.split(/,| - | · |\(/)[0]!.trim()))
    // "Sara Lindgren" over "Handläggare", "Jukka Lahtinen" over "esittelijä": a name over a staff title.
    const next = lines[i + 1]
    if (next && next.length <= 60 && STAFF_TITLE.test(next) && looksLikePersonName(stripHonorifics(line))) names.push(stripHonorifics(line))
  }
  return names.filter((n): n is string => !!n && looksLikePersonName(stripHonorifics(n)))
}

function consumerEmail(doc: NoticeDoc, lines: string[], org: OrgContext, name: string | null): { email: string; reason: string } | null {
  const bodyDomain = doc.from?.email ? registrable(domainOf(doc.from.email)) : null
  const usable = (e: string) => {
    const d = domainOf(e)
    return (
      !isOrgAddress(org, e) &&
      !isNoReplyAddress(e) &&
      !GOVERNMENT_DOMAIN.test(d) &&
      registrable(d) !== bodyDomain &&
      !doc.replyTo.some((r) => r.email.toLowerCase() === e) &&
      !PLATFORM_DOMAIN.test(d)
    )
  }
  for (const line of lines) {
    const m = EMAIL_LABEL.exec(line)
    const email = m?.[1]
      ?.replace(/[>.,;)]+$/, '')
      .replace(/^</, '')
      .toLowerCase()
    if (email && usable(email)) return { email, reason: `the notice gives the consumer's address ('${excerpt(line, 50)}')` }
  }
  // "Antragstellerin: Mag. Barbara Strobl, 4020 Linz, E-Mail: b.strobl@aon.at", "gđa Ivana
  // Horvat-Babić (e-pošta: …)": whatever the labels' language, the one personal address a
  // notice gives is the consumer's (the body's own, the org's and machines' are not).
  const personal = new Set<string>()
  for (const m of doc.text.slice(0, 30_000).matchAll(EMAIL_IN_TEXT)) {
    const email = m[0].toLowerCase().replace(/[.]$/, '')
    if (usable(email) && !bodyOfDomain(domainOf(email)) && !ownBrand(org, domainOf(email))) personal.add(email)
    if (personal.size > 1) break
  }
  if (personal.size === 1) {
    const [email] = personal
    return { email: email!, reason: `the one personal address the notice gives is ${email}` }
  }
  if (name) {
    // "Mme Élodie Garnier-Roussel (adresse électronique : elodie.garnier@orange.fr)"
    const text = doc.text.slice(0, 30_000)
    for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + name.length)) {
      const after = text.slice(at + name.length, at + name.length + 90)
      const email = /^\s*\((?:[^()@]{0,40}[:：]\s*)?([^\s()@]+@[^\s()]+)\)/.exec(after)?.[1]?.toLowerCase()
      if (email && usable(email)) return { email, reason: `the notice gives the consumer's address beside their name` }
    }
  }
  return null
}

/** A domain named after the org ("northwind-italia.it" for Northwind Outfitters): its own, not a consumer's. */
function ownBrand(org: OrgContext, domain: string): boolean {
  const words = (org.name ?? '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 5)
  const labels = domain.split('.').slice(0, -1).join('.')
  return words.some((w) => labels.includes(w))
}

/** "greatwestpacific.bbb.org" → "bbb.org", "ico.org.uk" → "ico.org.uk": what one body's addresses share. */
export function registrable(domain: string): string {
  const parts = domain.split('.')
  const secondLevel =
    /^(?:co|com|org|gov|ac|net|gob|gouv)$/.test(parts[parts.length - 2] ?? '') && (parts[parts.length - 1] ?? '').length === 2
  return parts.slice(secondLevel ? -3 : -2).join('.')
}
