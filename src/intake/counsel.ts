// Letters from counsel on behalf of a client (demand, cease and desist, letter before claim,
// Abmahnung, mise en demeure, requerimiento, diffida, sommatie) and lawsuits served. The
// customer is the client the letter names; counsel is the channel; the matter reference is
// counsel's own ("Our Ref", "Unser Az.", "Réf.", "N/Ref.", "Ns. Rif.", "Expte.").
import type { Address } from './parse.ts'
import type { Channel, Person } from './notice-types.ts'
import { domainOf, isNoReplyAddress, isOrgAddress, type OrgContext } from './org-context.ts'
import { COURT, FIRM, LETTER, NOT_FOR_CLIENT, REPRESENTS, SERVED } from './legal-words.ts'
import { findReference, referenceInFileName, type Reference } from './references.ts'
import { fold, matchFolded } from './words.ts'
import { isOfficialAddress } from './customer.ts'
import { EMAIL_IN_TEXT, excerpt, flat, plainLines } from './text.ts'
import { displayName, isFullerName, looksLikePersonName, readNameAt, stripHonorifics } from './names.ts'

export type CounselReading = {
  channel: Channel
  client: Person
  reference: Reference | null
  /** A suit filed or served, not only threatened. */
  lawsuit: string | null
  reasons: { channel: string[]; customer: string[] }
}

export type LetterDoc = {
  from: Address | null
  replyTo: Address[]
  subject: string
  text: string
  attachmentNames: string[]
  /** What colleagues who passed it on said about it ("we've been served"). */
  notes: string
}

export function readCounselLetter(doc: LetterDoc, org: OrgContext): CounselReading | null {
  const written = `${doc.subject}\n${doc.text.slice(0, 40_000)}`
  const text = flat(written)
  // The words are matched without accents (legal-words.ts); what a match shows is the original.
  const folded = fold(text)
  const reasons: string[] = []
  const represents = [...folded.matchAll(new RegExp(REPRESENTS.source, 'giu'))]
  const served = matchFolded(SERVED, text, folded) ?? matchFolded(SERVED, flat(doc.notes, 4000))
  const firm = matchFolded(FIRM, text, folded)
  const letter = matchFolded(LETTER, text, folded)
  const pdf = doc.attachmentNames.find((n) => /\.pdf$/i.test(n))
  if (NOT_FOR_CLIENT.test(folded) && !served) return null
  const ownReference = findReference([doc.subject, doc.text], 'counsel')
  // A representation phrase with a law firm, a demand or a letter attached; a firm's cover mail
  // for its letter under its own reference; or a suit served.
  if (represents.length > 0 && (firm || letter || pdf))
    reasons.push(`counsel writes '${excerpt(text.slice(represents[0]!.index, represents[0]!.index + represents[0]![0].length), 40)}'`)
  else if (firm && (pdf || letter) && ownReference) reasons.push(`a law firm's letter under its reference ${ownReference.value}`)
  else if (letter && firmSigned(doc, written))
    reasons.push(`a legal letter on a law firm's letterhead ('${excerpt(firmSigned(doc, written)!, 40)}')`)
  else if (served && (firm || COURT.test(fold(`${text}\n${doc.notes.slice(0, 4000)}`))))
    reasons.push(`a lawsuit served ('${excerpt(served[0], 40)}')`)
  else return null
  if (firm) reasons.push(`law-firm wording '${excerpt(firm[0], 30)}'`)
  if (letter) reasons.push(`a legal letter ('${excerpt(letter[0], 40)}')`)
  if (pdf) reasons.push(`letter attached as '${excerpt(pdf, 50)}'`)
  const reference = ownReference ?? fileNameReference(doc.attachmentNames)
  if (reference) reasons.push(reference.reason)
  const client = clientName(text, written, represents, served ? written : null)
  const counselEmail =
    [...doc.replyTo.map((r) => r.email), doc.from?.email ?? '']
      .map((e) => e.toLowerCase())
      .find((e) => e.includes('@') && !isNoReplyAddress(e) && !isOrgAddress(org, e)) ?? null
  return {
    channel: { kind: 'counsel', name: firmName(doc, written), email: counselEmail, reference: reference?.value ?? null },
    client: { name: client?.name ?? null, email: clientAddress(doc, org, counselEmail, client?.name ?? null) },
    reference,
    lawsuit: served ? served[0] : null,
    reasons: {
      channel: reasons,
      customer: [
        client ? client.reason : 'the letter names no client',
        ...(clientAddress(doc, org, counselEmail, client?.name ?? null)
          ? [`the letter gives the client's address ${clientAddress(doc, org, counselEmail, client?.name ?? null)}`]
          : []),
        'counsel’s letter: the client is reached through counsel',
      ],
    },
  }
}

/**
 * The firm's name or a lawyer's title where a firm puts it: the sender's name, the letterhead
 * (the first lines) or the signature (the last). A customer who mentions their solicitor in a
 * sentence does not write on a firm's letterhead.
 */
function firmSigned(doc: LetterDoc, written: string): string | null {
  const lines = plainLines(written, 40_000)
  const edge = [doc.from?.name ?? '', ...lines.slice(1, 9), ...lines.slice(-8)]
  return edge.find((l) => l.length <= 90 && !/[.!?]$/.test(l) && FIRM.test(fold(l))) ?? null
}

/**
 * The client's own address, when the letter gives exactly one personal address besides counsel's
 * (the firm's domain), the org's and machines'. Recorded on the case; replies still go to counsel.
 */
function clientAddress(doc: LetterDoc, org: OrgContext, counselEmail: string | null, client: string | null): string | null {
  // Only an address in the client's own name: counsel lists its own mailboxes too (a bar's
  // certified-mail address, a colleague's), and those are never the client's.
  const names = client
    ? fold(client)
        .toLowerCase()
        .split(/[^\p{L}]+/u)
        .filter((w) => w.length >= 3)
    : []
  if (names.length === 0) return null
  const firmDomains = [doc.from?.email, counselEmail, ...doc.replyTo.map((r) => r.email)]
    .filter((e): e is string => !!e && e.includes('@'))
    .map((e) => domainOf(e.toLowerCase()))
  const found = new Set<string>()
  for (const m of doc.text.slice(0, 40_000).matchAll(EMAIL_IN_TEXT)) {
    const email = m[0].toLowerCase().replace(/[.]$/, '')
    const domain = domainOf(email)
    if (firmDomains.includes(domain) || isOrgAddress(org, email) || isNoReplyAddress(email) || isOfficialAddress(email)) continue
    const local = fold(email.slice(0, email.indexOf('@')))
    if (!names.some((w) => local.includes(w))) continue
    found.add(email)
    if (found.size > 1) return null
  }
  return found.size === 1 ? [...found][0]! : null
}

function fileNameReference(names: string[]): Reference | null {
  for (const name of names) {
    const value = referenceInFileName(name)
    if (value) return { value, reason: `reference in the attachment's name '${excerpt(name, 50)}'` }
  }
  return null
}

/** The client the letter names, fullest spelling first: "Our Client: Marcus Del Rey", "Kläger: Herr …". */
function clientName(
  text: string,
  written: string,
  represents: RegExpMatchArray[],
  lawsuitText: string | null,
): { name: string; reason: string } | null {
  const found: { name: string; reason: string }[] = []
  for (const m of represents) {
    const name = readNameAt(text, m.index! + m[0].length, { allowCompany: true })
    const said = text.slice(m.index!, m.index! + m[0].length)
    if (name) found.push({ name, reason: `counsel acts for ${name} ('${excerpt(said, 40)}')` })
  }
  if (lawsuitText) {
    for (const m of lawsuitText.matchAll(
      /^(?:plaintiffs?|claimants?|kl[äa]ger(?:in)?|demandeur|demandante|attore|eiser|powód|powódka|žalobce|kärande|sagsøger|saksøker|kantaja|felperes|reclamant|autor(?:a)?)\s?[:：]\s*/gimu,
    )) {
      const name = readNameAt(lawsuitText, m.index + m[0].length, { allowCompany: true })
      if (name) found.push({ name, reason: `the claimant is ${name}` })
    }
  }
  // "Pierce v. Northwind", "Kötter ./. Northwind", "MOREAU c/ NORTHWIND": the caption names the client.
  for (const m of written
    .slice(0, 3000)
    .matchAll(
      /(?:^|[-–:]\s|re:\s)((?:\p{Lu}[\p{L}'’-]+\s){0,3}\p{Lu}[\p{L}'’-]+)\s(?:v\.|vs\.?|\.\/\.|c\/|contre|gegen|contro|tegen|contra|przeciwko|proti|mot|mod|ellen)\s/gimu,
    )) {
    found.push({ name: stripHonorifics(m[1]!), reason: `the letter's caption names '${excerpt(m[0], 40)}'` })
  }
  const best = found.find((f) => looksLikePersonName(f.name, { allowCompany: true }) || /^\p{Lu}[\p{L}'’-]+$/u.test(f.name)) ?? null
  if (!best) return null
  const fuller = found.find((f) => f !== best && isFullerName(f.name, best.name) && looksLikePersonName(f.name, { allowCompany: true }))
  return fuller ? { name: fuller.name, reason: best.reason } : best
}

function firmName(doc: LetterDoc, text: string): string | null {
  const lines = plainLines(text, 40_000)
  const edge = [...lines.slice(0, 12), ...lines.slice(-14)]
  const firmLine = edge.find(
    (l) =>
      l.length <= 80 &&
      FIRM.test(fold(l)) &&
      !/[.!?]$/.test(l) &&
      !/^(?:attorney at law|rechtsanw[äa]lt(?:in)?|avocate?|abogad[oa]|esq\.?)$/i.test(l),
  )
  if (firmLine) return firmLine.replace(/\s[-–|·].*$/, '').trim()
  return displayName(doc.from?.name) ?? (doc.from?.email ? domainOf(doc.from.email) : null)
}
