// The safety net under the notice and counsel readers: an official letter about someone else,
// from a sender intake does not know, in a language it has no words for. A person reads the shape
// before the words: a letterhead, a file reference, a place and date line, the org named as the
// addressee — and then a sender who is an office, not a person, or a letter that gives another
// person's address. Such a sender writes about a customer, never as one: its address is not the
// customer's, so a reply can never go there by mistake (the approver is told to answer through
// the sender). A customer's own formal letter has the shape too, but comes from a person's own
// address and names no one else's.
import type { Address } from './parse.ts'
import { domainOf, isNoReplyAddress, isOrgAddress, type OrgContext } from './org-context.ts'
import { findReference } from './references.ts'
import { EMAIL_IN_TEXT, plainLines } from './text.ts'
import { displayName, looksLikePersonName, stripHonorifics } from './names.ts'
import { fold } from './words.ts'

export type OfficialLetter = { shape: string[]; about: string }

// "Zagreb, 13. listopada 2026.", "Αθήνα, 14 Οκτωβρίου 2026", "V Košiciach, 30. septembra 2026",
// "Lisboa, 3 de outubro de 2026", "Paris, le 2 octobre 2026", "Vilnius, 2026-10-02".
const PLACE_AND_DATE =
  /^(?:\p{L}{1,3}\s)?\p{Lu}[\p{L}.'’-]{1,30}(?:\s\p{L}[\p{L}.'’-]{0,30}){0,2},?\s(?:(?:am|le|den|dne|dňa|d\.)\s)?(?:\d{1,2}\.?\s?(?:de\s)?\p{L}{3,12}\.?(?:\sde)?\s\d{4}|\d{1,2}[./-]\s?\d{1,2}[./-]\s?\d{2,4}|\d{4}-\d{2}-\d{2}|\p{L}{3,12}\.?\s\d{1,2},?\s\d{4})\.?$/u
const POSTAL_LINE = /(?:^|,\s?|\s)(?:[A-Z]{1,2}-?)?\d{2,3}\s?\d{2,3}\s\p{Lu}\p{L}{2,}|\p{Lu}\p{L}+\s[A-Z]{2}\s\d{5}(?:-\d{4})?$/u
const CAPITALS = /^[^\p{Ll}]*\p{Lu}[^\p{Ll}]*\p{Lu}[^\p{Ll}]*\p{Lu}[^\p{Ll}]*$/u

/** The letter's shape and why its sender writes about someone else, or null when it is not one. */
export function officialLetterAbout(
  original: { from: Address | null; subject?: string; text: string },
  org: OrgContext,
): OfficialLetter | null {
  const from = original.from
  if (!from?.email || isOrgAddress(org, from.email)) return null
  const lines = plainLines(original.text, 30_000)
  const head = lines.slice(0, 25)
  const orgWords = fold(org.name ?? '').toLowerCase()
  const shape = [
    head.slice(0, 6).some((l) => l.length <= 80 && (CAPITALS.test(l) || POSTAL_LINE.test(l))) ? 'a letterhead' : null,
    findReference([original.subject ?? '', head.join('\n')], 'notice') ? 'a file reference' : null,
    head.some((l) => l.length <= 60 && PLACE_AND_DATE.test(l)) ? 'a place and date line' : null,
    orgWords.length >= 4 && head.some((l) => l.length <= 70 && fold(l).toLowerCase().includes(orgWords)) ? 'the org as addressee' : null,
  ].filter((s): s is string => !!s)
  if (shape.length < 3) return null
  const about = aboutSomeoneElse(from, original.text, org)
  return about ? { shape, about } : null
}

function aboutSomeoneElse(from: Address, text: string, org: OrgContext): string | null {
  const sender = from.email.toLowerCase()
  const name = displayName(from.name)
  if (!name || !looksLikePersonName(stripHonorifics(name))) return `it comes from an office ('${name ?? sender}'), not a person`
  const local = fold(sender.slice(0, sender.indexOf('@'))).replace(/[^a-z]/g, ' ')
  // A name in another script cannot be compared with a Latin address; it says nothing either way.
  const latin = /\p{Script=Latin}/u.test(name)
  const shares =
    !latin ||
    fold(stripHonorifics(name))
      .toLowerCase()
      .split(/[^\p{L}]+/u)
      .some((w) => w.length >= 3 && local.includes(w))
  if (!shares) return `its address ${sender} is not the signer's own`
  const domain = domainOf(sender)
  for (const m of text.slice(0, 30_000).matchAll(EMAIL_IN_TEXT)) {
    const other = m[0].toLowerCase().replace(/[.]$/, '')
    if (other !== sender && domainOf(other) !== domain && !isOrgAddress(org, other) && !isNoReplyAddress(other))
      return `it gives another person's address (${other})`
  }
  return null
}
