// Executives recognised the way a colleague would: the configured list, then what people's
// signatures and display names say (CEO, Chief Operating Officer, Geschäftsführerin, Directrice
// générale, Founder & President, Chief of Staff to the CEO…), then the CEO's assistant or office
// passing a mail on, then who the customer wrote to and how they addressed them.
import type { Address } from './parse.ts'
import { configuredExecutive, isOrgAddress, isTeamAddress, type OrgContext } from './org-context.ts'
import { excerpt, flat, plainLines, signatureLines } from './text.ts'

export type RecognisedExecutive = {
  email: string
  name: string | null
  title: string | null
  /** Why: "on the executives list", "signature says Chief Operating Officer", … */
  reason: string
  configured: boolean
  role: 'executive' | 'assistant'
}

// Executive titles in the main European languages. Capitalised acronyms only: "coo" and "cfo"
// in lower case are rarely titles.
const EXECUTIVE_TITLE = new RegExp(
  [
    String.raw`\bchief\s(?:executive|operating|financial|technology|technical|marketing|revenue|customer|commercial|people|product|information|experience|digital|strategy)\sofficer\b`,
    String.raw`\bchief\sof\sstaff\b`,
    String.raw`\b(?:co-?)?founder\b`,
    String.raw`(?<!\bvice[\s-])\bpresident\b(?!\sof\sthe\s(?:club|association))`,
    String.raw`\bmanaging\sdirector\b|\bexecutive\sdirector\b|\bchair(?:man|woman|person)?\sof\sthe\sboard\b|\bchair(?:man|woman)\b`,
    // "Geschäftsführer: …" and "Vorstand: …" are a company imprint under everyone's mail.
    String.raw`\bgesch[äa]ftsf[üu]hr(?:er|erin)\b(?!\s?:)|\bvorstand(?:svorsitzende[rn]?|svorsitz)?\b(?!\s?:)|\bvorsitzende[rn]?\sdes\svorstands\b`,
    String.raw`\bdirect(?:eur|rice)\sg[ée]n[ée]ral(?:e)?\b|\bpdg\b|\bpr[ée]sident(?:e)?\sdirect(?:eur|rice)\sg[ée]n[ée]ral\b`,
    String.raw`\bdirector(?:a)?\sgeneral\b|\bconsejer[oa]\sdelegad[oa]\b`,
    String.raw`\bamministratore\sdelegato\b|\bdirett(?:ore|rice)\sgenerale\b`,
    String.raw`\balgemeen\sdirecteur\b|\bbestuursvoorzitter\b|\bverkst[äa]llande\sdirekt[öo]r\b|\bprezes(?:\szarz[ąa]du)?\b`,
  ].join('|'),
  'i',
)
const EXECUTIVE_ACRONYM = /(?<![\w-])(?:CEO|COO|CFO|CTO|CMO|CRO|CCO|CPO|CIO|CDO)(?![\w-])/
const ASSISTANT_TITLE =
  /\b(?:executive\s)?assistant\sto\s(?:the\s)?(?:ceo|president|founder|chair(?:man|woman)?|managing\sdirector|[\p{Lu}][\p{L}'’-]+(?:\s[\p{Lu}][\p{L}'’-]+)?,\s(?:ceo|founder|president))\b|\boffice\sof\sthe\s(?:ceo|president|founder|chair(?:man|woman)?)\b|\bassisten(?:z|tin)\s(?:der|des)\s(?:gesch[äa]ftsf[üu]hrung|vorstands?)\b|\bvorstandsassisten(?:z|tin)\b|\bb[üu]ro\sder\sgesch[äa]ftsf[üu]hrung\b|\bassistante?\sde\s(?:direction|la\sdirection\sg[ée]n[ée]rale)\b|\bassistante?\sdu\s(?:pdg|pr[ée]sident|directeur\sg[ée]n[ée]ral)\b|\basistente\sde\s(?:direcci[óo]n|presidencia)\b|\bassistente\sdi\sdirezione\b|\bsegreteria\sdi\s(?:direzione|presidenza)\b|\bdirectie(?:secretaresse|assistent(?:e)?)\b/iu

/** The executive title a few lines of signature (or a display name) carry, if any. */
export function executiveTitle(lines: string[]): { title: string; role: 'executive' | 'assistant'; line: string } | null {
  for (const line of lines) {
    if (line.length > 160) continue
    const assistant = line.match(ASSISTANT_TITLE)
    if (assistant) return { title: assistant[0], role: 'assistant', line }
  }
  for (const line of lines) {
    if (line.length > 160) continue
    const title = line.match(EXECUTIVE_TITLE) ?? line.match(EXECUTIVE_ACRONYM)
    if (title) return { title: title[0], role: 'executive', line }
  }
  return null
}

// How a customer addresses an executive: "Madame la Directrice générale", "Szanowna Pani Prezes",
// "Dear CEO", "Sehr geehrte Frau Geschäftsführerin".
const SALUTATION_TITLE =
  /^(?:dear|hello|hi|madame|monsieur|sehr geehrte[rs]?|liebe[rs]?|estimad[oa]|egregi[oa]|gentile|geachte|szanown[ya]|prezado|caro|cara)\b[^\n]{0,40}?\b(ceo|founder|president|managing director|directrice g[ée]n[ée]rale|directeur g[ée]n[ée]ral|pr[ée]sident(?:e)?|gesch[äa]ftsf[üu]hrer(?:in)?|vorstand|director(?:a)? general|presidente|amministratore delegato|direttore generale|algemeen directeur|prezes)\b/imu

// Shared mailboxes named for the role: founder@, ceo@, office-of-the-ceo@, geschaeftsfuehrung@.
const ROLE_MAILBOX =
  /^(?:ceo|coo|cfo|cto|cmo|founder|co-?founder|president|chairman|chair|office[._-]?of[._-]?the[._-]?ceo|ceo[._-]?office|office[._-]?ceo|gesch(?:ae|ä)ftsf(?:ue|ü)hrung|gf|vorstand|direction(?:[._-]?g[ée]n[ée]rale)?|dg|pdg|presidencia|direzione)$/i
// A customer who looked the person up to write to them over support's head.
const LOOKED_UP =
  /\b(?:found|got|saw) (?:your|this) (?:name|address|e-?mail|contact(?: details)?)(?: address)? (?:on|in|via|through|from)\b|\bho trovato il suo (?:indirizzo|nome|contatto)\b|\bencontrei o seu (?:contacto|contato|endere[çc]o|nome)\b|\b(?:he encontrado|encontr[ée]) su (?:direcci[óo]n|correo|nombre|contacto)\b|\bj'ai trouv[ée] votre (?:adresse|nom|contact)\b|\b(?:ihre|ihren) (?:adresse|e-mail-adresse|kontakt|namen) (?:habe ich )?(?:im|in|auf|über)\b|\bkreeg ik (?:dit|uw) adres\b|\bvond ik uw (?:adres|naam)\b|\b(?:writing|write|writing to you|reaching out) (?:to you )?directly\b|\bvous [ée]crire directement\b|\ble scrivo direttamente\b|\ble escribo directamente\b|\bwende mich direkt an sie\b|\bschrijf u (?:rechtstreeks|direct)\b/i
const NON_EXECUTIVE_ROLE =
  /\b(?:account (?:manager|executive|director)|key account|support|team lead|agent|specialist|representative|kundenservice|kundenberat\w+|service client|conseill\w+|atenci[óo]n al cliente|assistenza clienti|klantenservice|store manager|filialleit\w*|sales|customer (?:success|care|service)|coordinator|b2b)\b/i
// A person's own mailbox: "m.okafor", "claire.laurent", "jweber" (not a role or a team).
const PERSONAL_LOCAL = /^[a-z]{1,20}[._-]?[a-z]{2,30}$/i
// Shared team mailboxes: a customer writing "directly" to support@ has not gone over its head.
const TEAM_MAILBOX =
  /^(?:support|help|info|service|services|kundenservice|kundeservice|kundservice|kundendienst|service[._-]?client|atencion|atendimento|sac|assistenza|klantenservice|asiakaspalvelu|obsluga|zakaznicky|ugyfelszolgalat|contact|kontakt|hello|care|customer[\w.-]*|sales|orders?|escalations?|team|office|admin|billing|accounts?|press|presse|prensa|social|legal|privacy|datenschutz|dpo|marketing|(?:filiale|store|shop|winkel|magasin|tienda|negozio|butik|butikk|sklep|prodejna)[\w.-]*)$/i

type Layer = { from: Address; note: string }
type Input = {
  /** Forwarders with what they wrote, outermost first (the sender of a colleague's own report too). */
  layers: Layer[]
  /** The customer's original: who it was addressed to, and its opening lines. */
  originalTo: Address[]
  originalCc: Address[]
  originalText: string
}

export function recogniseExecutives(input: Input, org: OrgContext): RecognisedExecutive[] {
  const found = new Map<string, RecognisedExecutive>()
  const add = (e: RecognisedExecutive | null) => {
    if (e && !found.has(e.email)) found.set(e.email, e)
  }
  for (const layer of input.layers) add(recogniseSender(layer, org))
  // The customer's mail reached an executive it was addressed to, even when someone else
  // forwarded the copy that came to the desk.
  for (const to of [...input.originalTo, ...input.originalCc]) add(listedRecipient(to, org))
  const person = lookedUpPerson(input, org)
  if (person && !found.has(person.email.toLowerCase())) add(reachedPersonally(input.originalText, person, org))
  const addressedTo = input.originalTo.find((a) => isOrgAddress(org, a.email) && !found.has(a.email.toLowerCase()))
  if (addressedTo) add(salutedAs(input.originalText, addressedTo))
  return [...found.values()]
}

/** A recipient of the customer's own mail who is on the executives list. */
function listedRecipient(to: Address, org: OrgContext): RecognisedExecutive | null {
  const email = to.email.toLowerCase()
  const configured = configuredExecutive(org, email)
  if (!configured) return null
  return {
    email,
    name: to.name || configured.name || null,
    title: configured.title ?? null,
    reason: `the customer wrote to ${email}, on the executives list`,
    configured: true,
    role: 'executive',
  }
}

/**
 * A person of the org the customer wrote to who passed the mail on themselves; not when they
 * sign with a role that is not leadership (an account manager, support) or it is a team mailbox.
 */
function lookedUpPerson(input: Input, org: OrgContext): Address | undefined {
  return input.originalTo.find((a) => {
    const layer = input.layers.find((l) => l.from.email.toLowerCase() === a.email.toLowerCase())
    return (
      !!layer &&
      isOrgAddress(org, a.email) &&
      !TEAM_MAILBOX.test(a.email.slice(0, a.email.lastIndexOf('@'))) &&
      !signatureLines(layer.note).some((line) => line.length <= 100 && NON_EXECUTIVE_ROLE.test(line))
    )
  })
}

function reachedPersonally(originalText: string, person: Address, org: OrgContext): RecognisedExecutive | null {
  const email = person.email.toLowerCase()
  const reached = { email, name: person.name || null, title: null, configured: false, role: 'executive' } as const
  // The customer looked up a person's own address to write to them, and that person passed it on.
  const lookedUp = flat(originalText, 1500).match(LOOKED_UP)
  if (lookedUp) return { ...reached, reason: `the customer looked up ${email} to write to them directly ('${excerpt(lookedUp[0], 50)}')` }
  // The customer wrote to a person's own address, over the support team's head, and that person
  // (not one of the desk's agents, not signing with a support or sales role) passed it to the
  // escalations desk: the complaint reached someone senior.
  if (!isTeamAddress(org, person.email) && PERSONAL_LOCAL.test(person.email.slice(0, person.email.lastIndexOf('@'))))
    return { ...reached, reason: `the customer wrote to ${email} personally, who passed it to the desk` }
  return null
}

/** The customer's salutation gives the recipient an executive's title: "Dear CEO", "Madame la Directrice générale". */
function salutedAs(originalText: string, addressedTo: Address): RecognisedExecutive | null {
  const salutation = plainLines(originalText, 3000).slice(0, 3).join('\n').match(SALUTATION_TITLE)
  if (!salutation) return null
  return {
    email: addressedTo.email.toLowerCase(),
    name: addressedTo.name || null,
    title: salutation[1]!,
    configured: false,
    role: 'executive',
    reason: `the customer wrote to ${addressedTo.email.toLowerCase()} as '${excerpt(salutation[0], 50)}'`,
  }
}

/** An executive's title from their own signature, if it gives one. */
function signedTitle(note: string): string | null {
  const found = executiveTitle(signatureLines(note))
  return found?.role === 'executive' ? found.title : null
}

function recogniseSender(layer: Layer, org: OrgContext): RecognisedExecutive | null {
  const email = layer.from.email.toLowerCase()
  const name = layer.from.name || null
  const configured = configuredExecutive(org, email)
  if (configured)
    return {
      email,
      name: name ?? configured.name ?? null,
      // The list's title, else the one their own signature gives ("Dana Ruiz / CEO, Acme").
      title: configured.title || signedTitle(layer.note),
      reason: `${email} is on the executives list`,
      configured: true,
      role: 'executive',
    }
  const signature = signatureLines(layer.note)
  const inOrg = isOrgAddress(org, email)
  const local = email.slice(0, email.lastIndexOf('@'))
  if (inOrg && ROLE_MAILBOX.test(local))
    return { email, name, title: local, reason: `the address ${email} is the ${local} mailbox`, configured: false, role: 'executive' }
  // From a personal address, a title counts only beside the org's own name ("Founder &
  // President, Northwind Outfitters"): anyone can write "CEO" under their name.
  const orgName = org.name?.toLowerCase()
  const lines = inOrg ? [name ?? '', ...signature] : signature.filter((l) => orgName && l.toLowerCase().includes(orgName.split(' ')[0]!))
  const title = executiveTitle(lines.filter(Boolean))
  if (!title) return null
  const where = title.line === name ? 'display name says' : 'signature says'
  const outside = inOrg ? '' : ` (from ${email}, not an address of the org)`
  return { email, name, title: title.title, reason: `${where} '${excerpt(title.line, 60)}'${outside}`, configured: false, role: title.role }
}
