// The customer of a customer's own mail (sent to the desk, or forwarded to it): the original
// sender, read the way a person reads it. A no-reply sender (a web form) is not the customer:
// its Reply-To or form fields are. A customer who asks to be answered elsewhere gets that
// address. The name is how they sign when the display name is a family, a role or shorter.
import type { Address } from './parse.ts'
import { bodyOfDomain, GOVERNMENT_DOMAIN } from './bodies.ts'
import type { Person } from './notice-types.ts'
import { officialLetterAbout } from './official-letter.ts'
import { PLATFORM_DOMAIN } from './reviews.ts'
import { domainOf, isNoReplyAddress, isOrgAddress, isPublicMailDomain, type OrgContext } from './org-context.ts'
import { anyStem } from './words.ts'
import { EMAIL_IN_TEXT, excerpt, flat, plainLines, withoutQuotedHistory } from './text.ts'
import { displayName, isFullerName, looksLikePersonName, readNameAt, stripHonorifics } from './names.ts'

export type CustomerReading = { person: Person; reasons: string[] }

type Original = { from: Address | null; replyTo: Address[]; subject?: string; text: string }

export function ordinaryCustomer(original: Original, org: OrgContext): CustomerReading {
  const reasons: string[] = []
  const own = withoutQuotedHistory(original.text)
  const from = original.from
  // An office of a government or complaints body writes about someone else: its address is
  // nobody's customer address, even when intake did not recognise the notice.
  const bodyOffice = !!from && THIRD_PARTY_WORDING.test(own.slice(0, 6000)) && BODY_NAME.test(`${from.name} ${from.email}`)
  // Whatever its language: a letter shaped like an office's, about someone else (official-letter.ts).
  const official = bodyOffice ? null : officialLetterAbout({ from, subject: original.subject, text: own }, org)
  if (official)
    reasons.push(`${from!.email.toLowerCase()} is not the customer: an official letter (${official.shape.join(', ')}); ${official.about}`)
  const usable = (e: string | null | undefined): e is string =>
    !!e &&
    e.includes('@') &&
    !isOrgAddress(org, e) &&
    !isNoReplyAddress(e) &&
    !isOfficialAddress(e) &&
    !((bodyOffice || official) && e === from?.email.toLowerCase())
  let email: string | null = null
  let name = displayName(from?.name)
  if (usable(from?.email)) {
    email = from!.email.toLowerCase()
    reasons.push(`sent by ${email}`)
  } else if (from && !from.email && name) {
    // A quoted header that shows only a name ("From: John Doe").
    reasons.push(`the quoted header names ${name} without an address`)
  } else {
    // A form or system sender: the person is in Reply-To or in the form's fields.
    const replyTo = original.replyTo.find((r) => usable(r.email))
    const field = formField(own, /^(?:e-?mail|e-mail address|courriel|correo|e-mailadres|indirizzo e-?mail)\s?[:：]\s*(\S+@\S+)/i)
    email = replyTo?.email.toLowerCase() ?? (usable(field) ? field!.toLowerCase() : null)
    name = displayName(replyTo?.name) ?? formField(own, /^(?:name|full name|nom|nombre|nome|naam)\s?[:：]\s*(.+)$/i) ?? null
    reasons.push(
      from?.email
        ? `${from.email} is ${isNoReplyAddress(from.email) ? 'a no-reply address' : "an address of the org's own"}`
        : 'no sender address',
    )
    if (email) reasons.push(replyTo ? `Reply-To ${email}` : `the form gives ${email}`)
  }
  const asked = requestedReplyAddress(own, email, org)
  if (asked) {
    email = asked.email
    reasons.push(asked.reason)
  }
  const better = betterName(own, name)
  if (better) {
    reasons.push(better.reason)
    name = better.name
  }
  return { person: { name: name ? stripHonorifics(name) : null, email }, reasons }
}

/**
 * A government's, a listed complaints body's or a review platform's own address: it writes about
 * a customer, never as one, whatever language its letter is in.
 */
export function isOfficialAddress(email: string): boolean {
  const domain = domainOf(email)
  return GOVERNMENT_DOMAIN.test(domain) || (PLATFORM_DOMAIN.test(domain) && !isPublicMailDomain(domain)) || bodyOfDomain(domain) !== null
}

function formField(text: string, re: RegExp): string | null {
  for (const line of plainLines(text, 10_000)) {
    const m = re.exec(line)
    if (m)
      return m[1]!
        .trim()
        .replace(/[>.,;)]+$/, '')
        .replace(/^</, '')
  }
  return null
}

const BODY_NAME =
  /ombuds|schlichtung|verbraucher|geschillen|\b(?:commission|authority|bureau|council|agency|tribunal|office of|department|ministry|board|commissioner|garante|defensor|m[ée]diat\w*|consum\w*|regulator|arbitra\w*)\b/i
// A body writes about the consumer in the third person.
const THIRD_PARTY_WORDING =
  /\b(?:the (?:consumer|complainant|customer) (?:states|says|alleges|reports|claims)|(?:received|has received) a complaint from|complaint (?:from|by|filed by) (?:the consumer|mr|mrs|ms|miss)\b|le consommateur|la plaignante?|der (?:verbraucher|beschwerdef[üu]hrer|antragsteller)|die (?:verbraucherin|beschwerdef[üu]hrerin|antragstellerin)|el reclamante|la reclamante|il reclamante|de consument|de klager)/i

// "please reply to my personal address x", "Svara gärna till x", "svar venligst på x", "bitte
// antworten Sie an x", "merci de me répondre à x", "respóndanme a x", "rispondetemi a x", "antwoord
// graag naar x", "respondam para x", "proszę o odpowiedź na x", "odpovězte mi na x", "vastatkaa x":
// the request in the languages of the EU/EEA, BR.
const REPLY_REQUEST = anyStem([
  'reply',
  'respond',
  'write back',
  'get back to me',
  'answer me',
  'contact me',
  'email me',
  'mail me',
  'antworten sie',
  'antworte',
  'schreiben sie mir',
  'kontaktieren sie mich',
  'r[ée]pond(?:ez|re)',
  '[ée]crivez-moi',
  'contactez-moi',
  'respond(?:a|an|e)',
  'resp[óo]nd(?:a|anme)',
  'escr[íi]b(?:anme|ame)',
  'contesten',
  'rispond(?:ete|etemi|ere)',
  'scrivetemi',
  'contattatemi',
  'antwoord',
  'mail mij',
  'neem contact',
  'respond(?:am|a-me|er)',
  'responda-me',
  'contacte-me',
  'escrevam',
  'escreva-me',
  'svara',
  'kontakta mig',
  'skriv till mig',
  'svar venligst',
  'svar gerne',
  'svar mig',
  'skriv til mig',
  'kontakt mig',
  'vennligst svar',
  'svar (?:meg|til)',
  'kontakt meg',
  'skriv til meg',
  'vastat(?:kaa|a)',
  'ottakaa yhteytt',
  'odpowied[źz]',
  'odpowiedzcie',
  'odpisa[ćc]',
  'prosz[ęe] o kontakt',
  'odpov[ěe]zte',
  'odpov[íi]dejte',
  'pi[šs]te mi',
  'kontaktujte m[ěe]',
  'odpovedzte',
  'v[áa]laszoljanak',
  '[íi]rjanak',
  'r[ăa]spunde[țt]i',
  'scrie[țt]i-mi',
])

function requestedReplyAddress(text: string, current: string | null, org: OrgContext): { email: string; reason: string } | null {
  const bounded = text.slice(0, 20_000)
  for (const m of bounded.matchAll(EMAIL_IN_TEXT)) {
    const email = m[0].toLowerCase().replace(/[.]$/, '')
    if (email === current || isOrgAddress(org, email) || isNoReplyAddress(email)) continue
    const before = bounded.slice(Math.max(0, m.index - 100), m.index)
    const sentence = before.split(/[.!?]\s|\n\s*\n/).pop() ?? ''
    const request = sentence.match(REPLY_REQUEST)
    if (request)
      return { email, reason: `the customer asks to be answered at ${email} ('${excerpt(`${sentence.trim()} ${email}`.slice(-70), 70)}')` }
  }
  return addressBelow(bounded, current, org)
}

// "Please reply to my personal address below", "bitte an meine private Adresse unten": the
// request names an address, which the signature then gives.
const ADDRESS_WORD = anyStem(['address', 'e-?mail', 'adress', 'adres', 'direcci[óo]n', 'indirizzo', 'endere[çc]o', 'osoite', 'c[íi]m'])

function addressBelow(text: string, current: string | null, org: OrgContext): { email: string; reason: string } | null {
  const request = text.match(REPLY_REQUEST)
  if (!request || request.index === undefined) return null
  const sentence = text.slice(request.index, request.index + 120).split(/[.!?\n]/)[0]!
  if (!ADDRESS_WORD.test(sentence)) return null
  const signature = plainLines(text.slice(request.index), 20_000).slice(-10).join('\n')
  const emails = [...new Set([...signature.matchAll(EMAIL_IN_TEXT)].map((m) => m[0].toLowerCase().replace(/[.]$/, '')))].filter(
    (e) => e !== current && !isOrgAddress(org, e) && !isNoReplyAddress(e) && !isOfficialAddress(e),
  )
  if (emails.length !== 1) return null
  return {
    email: emails[0]!,
    reason: `the customer asks to be answered at the address their signature gives ('${excerpt(sentence.trim(), 60)}': ${emails[0]})`,
  }
}

// A display name that names a household, a role or a company rather than a person.
const NOT_A_PERSON =
  /^(?:famil(?:ie|jen|y|le|ia|ia)|the\s\w+\s(?:family|household)|gezin|rodzina|einkauf|purchasing|procurement|sales|info|support|office|admin|accounts?|billing|buchhaltung|verwaltung|team|service|kundenservice|contact|compras|achats|acquisti|inkoop|reception|orders?|bestellung)\b/i
const SELF_INTRO =
  /\b(?:my name is|this is|i am|i'm|mein name ist|hier schreibt|ich bin|je m'appelle|je suis|me llamo|soy|mi chiamo|sono|mijn naam is|dit is|ik ben|det är|jag heter|nazywam się|chamo-me|o meu nome é)\s(?=\p{Lu})/giu

/** The name the customer signs with, or introduces themselves by, when it says more than the display name. */
function betterName(text: string, display: string | null): { name: string; reason: string } | null {
  const displayIsPerson = !!display && looksLikePersonName(stripHonorifics(display)) && !NOT_A_PERSON.test(display)
  const signatures = signatureNames(text)
  const signed = signatures[0] ?? null
  const introduced = introducedName(text)
  if (!displayIsPerson) {
    const name = introduced ?? signed
    if (name)
      return {
        name,
        reason: `${display ? `the display name '${display}' is not a person's; ` : ''}the customer ${name === introduced ? 'introduces themselves as' : 'signs as'} ${name}`,
      }
    return null
  }
  for (const candidate of [signed, introduced]) {
    if (candidate && isFullerName(candidate, display!))
      return { name: candidate, reason: `the customer signs with the fuller name ${candidate}` }
  }
  // A name in another script than the mail's ("Дмитрий Соколов" on an English mail signed "Dmitry Sokolov").
  const latin = signatures.find((n) => /^[\p{Script=Latin}\p{M}\s.'’-]+$/u.test(n))
  if (latin && /[^\p{Script=Latin}\p{M}\s.'’-]/u.test(display!)) {
    return { name: latin, reason: `the customer signs in Latin script as ${latin}` }
  }
  const labelled = labelledName(text, display!)
  return labelled ? { name: labelled, reason: `the customer gives their full name as ${labelled}` } : null
}

/** Name-shaped lines at the end of the customer's text, last first. */
function signatureNames(text: string): string[] {
  const lines = plainLines(text, 20_000).filter(
    (l) => !/^(?:--|sent from|envoyé de|gesendet von|von meinem|enviado|inviato|verzonden|skickat|get outlook)/i.test(l),
  )
  return lines
    .slice(-8)
    .reverse()
    .map((line) => stripHonorifics(line.replace(/^[-–—]\s*/, '').replace(/,$/, '')))
    .filter((candidate) => looksLikePersonName(candidate))
}

function introducedName(text: string): string | null {
  const bounded = flat(text, 3000)
  for (const m of bounded.matchAll(SELF_INTRO)) {
    const name = readNameAt(bounded, m.index + m[0].length)
    if (name && name.split(' ').length >= 2) return name
  }
  return null
}

/** "Nombre correcto: José María Ibáñez Ruano": a labelled full name extending the display name. */
function labelledName(text: string, display: string): string | null {
  for (const line of plainLines(text, 10_000)) {
    const m =
      /^(?:(?:my )?(?:full |correct )?name|(?:nombre|nom|nome|naam|name)(?: (?:correcto|completo|complet|corretto|volledig|vollständig))?)\s?[:：]\s*(.+)$/i.exec(
        line,
      )
    const value = m?.[1]?.split(/,|;/)[0]?.trim()
    if (value && looksLikePersonName(value) && isFullerName(value, display)) return value
  }
  return null
}
