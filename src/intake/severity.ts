// Severity by the escalation handler's rubric, every rule with its reason:
// SEV-1 the customer's operation is down; data loss, exposure, a breach or account takeover;
//       safety or injury; a lawsuit filed or served.
// SEV-2 a lawyer's letter or explicit legal threat; a complaints body's or regulator's notice;
//       public exposure (press, a viral post, a public review, a creator's audience, a threat to
//       go to the media); a major feature broken for many users; a business's revenue at risk
//       with a churn threat raised to an executive.
// SEV-3 a complaint that reached an executive, a churn threat, or degraded service; and a
//       customer's complaint with real impact, direct or relayed by a colleague: money lost (charged
//       twice, a refund that never came), an order missing, a product broken, a failure repeated
//       (the third mail, nobody answers, weeks of waiting), a business customer's own customers or
//       operation affected. That is a real complaint, whoever brought it.
// SEV-4 a minor, low-impact matter sent directly: a swap, a size, a promo code, a typo on an
//       invoice, a question; no impact, executive, legal, public or churn signal.
// English, German, French, Spanish, Italian and Dutch patterns are here; the other languages of
// the EU/EEA and BR are in severity-words.ts. Each is tried on a bounded text.
import {
  ACCOUNT_TAKEOVER,
  BUSINESS_HURT,
  BUSINESS_STOPPED,
  CHURN_WORDS,
  DELAYED,
  DOCUMENTS,
  FOLLOWERS,
  HARM,
  LAWSUIT_FILED,
  LEGAL_THREAT,
  MEDIA_THREAT,
  MONEY_LOST,
  NOT_WORKING,
  ORDER_MISSING,
  OTHER_PERSON,
  PERSONAL_DATA,
  PRODUCT_BROKEN,
  RECEIVING,
  REPEATED,
  SEEING,
} from './severity-words.ts'
import { excerpt, flat } from './text.ts'
import { fold, matchFolded } from './words.ts'
import type { Severity } from '../cases/terms.ts'

export type { Severity }

export type SeverityFacts = {
  /** Everything the customer, the notice or the report says (bounded by the caller). */
  text: string
  lawyerLetter: boolean
  lawsuitServed: boolean
  /** A complaints body or regulator notice (BBB, CFPB, AG, ombudsman, DPA, consumer affairs). */
  bodyNotice: string | null
  /** The customer's own mail quotes a complaint they filed with a body (a BBB complaint number). */
  bodyComplaint: string | null
  /** Press inquiry, reported public post, or a platform review that is spreading. */
  publicExposure: string | null
  /** A lone review on a platform: public, but not amplified (SEV-3 unless the text says more). */
  publicReview?: string | null
  /** Who the complaint reached, when it reached an executive. */
  executive: string | null
}

type Rule = { level: 1 | 2 | 3; label: string; pattern: RegExp }

const OPERATION_DOWN: RegExp[] = [
  /\b(?:api|portal|site|website|web ?shop|app|system|server|service|platform|checkout|pos|händlerportal|portail|portale)\b[^.\n]{0,30}\b(?:is|are|has been|have been|was|went|were|still|completely|totally)?\s?(?:down|offline|unreachable)\b/i,
  /\b(?:outage|system(?:s)? down|returning (?:an? )?(?:http )?5\d\d|(?:http |error |fehler |erreur |errore )5\d\d|5\d\d (?:bad gateway|service unavailable|gateway time-?out)|nicht (?:mehr )?erreichbar|ausgefallen|totalausfall|hors service|en panne|inaccessible|fuera de servicio|ca[íi]d[oa]|fuori servizio|irraggiungibile|ligt plat|niet bereikbaar)\b/i,
  /\b(?:none|no one|nobody|not one) of (?:our|their|my) (?:\d+ )?(?:staff|employees|users|team|guides|people|logins?)\b[^.\n]{0,60}\b(?:can|could|are able to|work)\b/i,
  /\b(?:all|every)(?: one of)? (?:of )?(?:our|their) (?:\d+ )?(?:staff|users|employees|team members|logins?|accounts|stores|locations)\b[^.\n]{0,80}\b(?:locked out|fail(?:s|ing)?|can'?t|cannot|suspended|(?:do not|don'?t) work)\b/i,
  /\b(?:whole|entire) (?:company|team|staff) (?:is |are |has been )?locked out\b|\blocked out since\b/i,
]
// The outage stops a business: its stores, staff, counters, orders, rentals.
const BUSINESS_OPERATION =
  /\b(?:lost sales|lost revenue|orders? (?:are |were )?(?:queued|stuck|piling up)|(?:our|their) (?:\w+\s)?(?:storefront|production line|warehouse|fulfil?ment|biggest day)|every hour (?:this|it) (?:continues|lasts)|h[äa]ndlerportal|dealer portal|partner portal|b2b[- ]portal|pro (?:rental )?portal|reseller portal|portail (?:revendeur|partenaire)|portal de distribuidores|rental (?:fleet )?api|(?:our|their|unsere[nm]?|nos|nuestr[ao]s|nostr[ie]|onze)\s(?:\w+\s)?(?:stores?|locations?|staff|employees|pos|counters?|guides|shops?|branches|filialen|verleihstationen|mitarbeiter|kunden|magasins|employ[ée]s|[ée]quipes|salari[ée]s|tiendas|empleados|negozi|dipendenti|winkels|medewerkers|stations)|all \d+ (?:stores|locations|staff)|opening day|turning (?:members|customers|people) away|can'?t check (?:anyone|people|members|customers) out|can'?t (?:take|process) (?:orders|payments|rentals|bookings)|staff logins?|check out rental|weder die .{0,60} noch|wochenbestellung|paper slips|costing us money|ne pouvons plus (?:prendre|passer|vendre)|no podemos (?:vender|cobrar|tomar pedidos|trabajar)|non possiamo (?:vendere|lavorare|incassare)|kunnen (?:geen|niet) (?:bestellen|verkopen|werken))\b/i
const MANY_USERS =
  /\b(?:for everyone|every single one of (?:our|my|the) \w+|all (?:of )?(?:our|my) (?:members|customers|users)|at least \d+ (?:people|customers|members|users)|(?:many|hundreds of|thousands of|dozens of|several) (?:customers|users|members|people))\b/i
const FAULT =
  /\b(?:fail(?:s|ed|ing)?|error|could not be processed|can'?t (?:pay|log ?in|check ?out)|cannot (?:pay|log ?in)|not working|doesn'?t work|broken|outage)\b/i

const RULES: Rule[] = [
  {
    level: 1,
    label: 'data exposure, breach or account takeover',
    pattern: new RegExp(
      [
        // Seeing other people's orders or data is exposure; receiving someone else's parcel is a misdelivery.
        String.raw`\b(?:showing|shows|showed|displayed|displays|see|saw|can see)\s(?:me\s)?(?:the\s)?(?:orders?|accounts?|data|details|invoices?|information|addresses)\s(?:of|belonging to|from)\s(?:other|another|someone else|different)\b`,
        String.raw`\b(?:receiving|received|getting|get)\s(?:the\s)?(?:invoices?|data|details|information|e-?mails|personal)\s(?:of|belonging to|from|for)\s(?:other|another|someone else|different)\b`,
        String.raw`\b(?:someone else'?s|other (?:customers'?|people'?s|users'?)|another (?:customer|person)'?s)\s(?:accounts?|data|invoices?|information|details|addresses|personal)\b|\b(?:showing|shows|see|saw|can see)\s(?:me\s)?(?:someone else'?s|other (?:customers'?|people'?s))\s(?:orders?)\b`,
        String.raw`\bother (?:people|customers)'?s? (?:personal )?(?:information|data|details)\b`,
        String.raw`\b(?:data|security) breach\b|\bdata leak\b|\b(?:my )?account (?:was |has been |got )?(?:hacked|taken over|compromised)\b|\b(?:hacked|stolen|compromised) account\b|\bsomeone (?:got into|accessed|logged into|broke into|took over) my\b|\baccount takeover\b|\bunauthori[sz]ed (?:orders?|purchases?|access|log-?ins?|charges on my account)\b|\b(?:someone|somebody) (?:changed|reset) (?:my|the) (?:password|e-?mail)\b|\bmy password (?:was|has been) changed\b|\bspreadsheet of\b[^.]{0,60}\b(?:members|customers)\b|\bdata (?:was|were|has been|have been) (?:exposed|leaked|stolen)\b`,
        String.raw`\bdatos personales de otr[oa]|\b(?:facturas|datos|correos|avisos)\b[^.]{0,60}\bde otra persona\b|\bme han robado la cuenta\b|\bha entrado en mi cuenta\b|\bfiltraci[óo]n de datos\b|\bme (?:han )?cambiado la contrase[ñn]a\b`,
        String.raw`\bdati (?:siano|sono) stati rubati\b|\bfurto di dati\b|\bviolazione dei dati\b|\bentrato nel mio account\b|\bqualcuno ha cambiato la (?:mia )?password\b`,
        String.raw`\bdaten (?:anderer|eines anderen|fremder) (?:kunden|personen)\b|\bdatenleck\b|\b(?:konto|account) (?:wurde )?gehackt\b|\bfremde bestellungen\b|\bjemand hat mein passwort ge[äa]ndert\b`,
        String.raw`\bdonn[ée]es (?:personnelles )?d'autres clients\b|\bfuite de donn[ée]es\b|\bcompte (?:a été )?pirat[ée]\b|\bcommandes d'autres clients\b|\bmon mot de passe a été (?:chang|modifi)[ée]\b`,
        String.raw`\bgegevens van andere klanten\b|\bdatalek\b|\baccount (?:is )?(?:gehackt|overgenomen)\b`,
        String.raw`\bkontot? [äa]r kapat\b|\bdet var inte jag\b|\b(?:kontot|konto) (?:har )?(?:blivit )?hackat\b`,
        String.raw`\bkonto zosta[łl]o przej[ęe]te\b|\bconta (?:foi )?invadida\b`,
      ].join('|'),
      'i',
    ),
  },
  {
    level: 1,
    label: 'safety risk or injury',
    pattern: new RegExp(
      [
        String.raw`\b(?:caught fire|on fire|burst into flames|flames? (?:shot|came) out|flared? (?:up|from)|singed|ignited|burn(?:ed|t|s)? (?:my|his|her|their|two|the|to)\b|second-degree|third-degree|scald(?:ed)?|injur(?:y|ies|ed)|hurt (?:himself|herself|myself|themselves)|hospitali[sz]ed|emergency room|urgent care|ambulance|allergic reaction|anaphyla\w*|concussion|(?:broke|broken|fractured) (?:his|her|my|their|a) (?:\w+ )?(?:arm|leg|wrist|hip|pelvis|skull|rib|ankle|collarbone|nose|bone)|choking|electric shock|electrocuted|exploded|explosion|spitting sparks|melted (?:through|the)|fell (?:in|into) the water|safety (?:issue|hazard|risk|incident)|carbon monoxide|co poisoning|gas leak|smoke inhalation|poison(?:ed|ing))\b`,
        // "Persönlichkeitsrecht verletzt" is a legal claim, not an injury.
        String.raw`\b(?:feuer gefangen|in brand|verbrannt|verbrennung(?:en)?|brandwunde|angesengt|kokeln|(?:schwer|leicht|dabei) verletzt|verletzte sich|hat sich (?:\w+ ){0,3}verletzt|verletzungen|krankenhaus|notaufnahme|rettungswagen|allergische reaktion|gehirnersch[üu]tterung|platzwunde|beckenfraktur|explodiert|[üu]berhitzt|kohlenmonoxid|vergiftung|gen[äa]ht werden)\b`,
        String.raw`\b(?:pris feu|br[ûu]l(?:é|ée|ure|ures)|incendie|flammes?\b|blessures?|(?:a été|s'est) bless[ée]e?|h[ôo]pital|urgences|pompiers|r[ée]action allergique|tomb[ée] (?:à|dans) l'eau|explos\w+|intoxication|monoxyde de carbone)\b`,
        String.raw`\b(?:incendio|quemad\w+|quemadura|herid[oa]s?|lesi[óo]n|urgencias|reacci[óo]n al[ée]rgica|explot[óo]|intoxicaci[óo]n|mon[óo]xido de carbono)\b`,
        String.raw`\b(?:preso fuoco|ustion\w+|bruciat\w+|ferit[oaie]|ospedale|pronto soccorso|reazione allergica|esplos\w+|intossicazione|monossido di carbonio)\b`,
        String.raw`\b(?:vlam gevat|verbrand|brandwond\w*|gewond|ziekenhuis|allergische reactie|huisartsenpost|ontploft|koolmonoxide|vergiftiging)\b`,
        String.raw`\b(?:brännskada|sjukhus|pegou fogo|queimadura|rea[çc][ãa]o al[ée]rgica)\b`,
      ].join('|'),
      'i',
    ),
  },
  {
    level: 1,
    label: 'lawsuit filed or served',
    // "does not accept service of process by email" is a law firm's footer, not a suit.
    pattern:
      /\b(?:(?:i|we) (?:have )?filed (?:a |an )?(?:small claims )?(?:case|lawsuit|suit|claim) (?:against|in)|lawsuit (?:has been|was) filed|(?:we'?ve|we have|has been|have been) served|service of process (?:has been |was )?received|class action (?:\(\w+\) )?filed|klage (?:wurde )?(?:eingereicht|zugestellt)|demanda interpuesta|j'ai saisi le tribunal|atto di citazione|dagvaarding)\b/i,
  },
  {
    level: 2,
    label: 'legal threat',
    pattern: new RegExp(
      [
        String.raw`\b(?:legal action|legal proceedings|take (?:you|this|it|northwind) to court|sue (?:you|northwind|the company)|suing|small claims|class action|(?:my|our) (?:attorney|lawyer|solicitor|counsel) (?:will|is|has|would)|(?:i|we) (?:will|'ll|am going to|are prepared to) (?:sue|take legal|file (?:a )?(?:lawsuit|suit|claim|in court|in small claims))|file (?:a complaint )?in [\w ]{0,30}court|litigation)\b`,
        String.raw`\b(?:rechtsanwalt|anwalt|rechtliche schritte|klage erheben|gerichtlich|mahnbescheid)\b`,
        String.raw`\b(?:(?:mon|notre|un|mes) avocats?|poursuites|action en justice|saisir (?:le|la) (?:tribunal|juridiction))\b`,
        String.raw`\b(?:abogado|acciones legales|demanda judicial|reclamaci[óo]n judicial|juicio (?:verbal|monitorio))\b`,
        String.raw`\b(?:avvocato|vie legali|azioni legali|sedi giudiziarie)\b`,
        String.raw`\b(?:advocaat|juridische stappen|naar de rechter)\b`,
      ].join('|'),
      'i',
    ),
  },
  {
    level: 2,
    label: 'public exposure or media threat',
    pattern: new RegExp(
      [
        String.raw`(?<![\d,.])\d[\d,.\s]{0,12}\s?[kKmM]?\s(?:subscribers|followers|abonn[ée]s|abonnenten|seguidores|iscritti|volgers|f[öo]ljare)\b|\bmila iscritti\b|\b(?:my|our) (?:youtube |tiktok |instagram )?(?:channel|audience)\b|\binfluenc(?:er|euse)\b`,
        String.raw`\b(?:(?:leave|write|post) (?:a )?(?:bad|negative|1-star|one-star|terrible|honest) reviews?|go(?:ing)? (?:to the )?(?:press|media|public)|(?:contact|tell|send it to|talk to) (?:the )?(?:press|media|news|journalists?)|consumer reporter|post (?:the whole story|it|this|everything|about (?:it|this|you)) (?:on|to)|(?:video|episode) (?:goes|will go) (?:up|live)|before my video|going viral|gone viral)\b`,
        String.raw`\b(?:an die presse|die medien|zeitung)\b|\b(?:je raconterai|t[ée]moigner|la presse|les m[ée]dias|journaliste)\b|\b(?:a la prensa|los medios|redes sociales)\b|\b(?:ai giornali|alla stampa|racconter[òo])\b|\b(?:naar de pers|de media)\b`,
      ].join('|'),
      'i',
    ),
  },
]

// A threat to leave, not a past cancellation ("I cancelled in August and you still charge me")
// and not moving house.
// A threat to take it to a complaints body is context, not a notice: it does not raise severity
// past what the rest of the mail says.
const BODY_THREAT =
  /\b(?:(?:file|lodge|make) a complaint (?:with|to)|report (?:you|this|it) to|(?:go|turn|write) to) (?:the )?(?:better business bureau|bbb|cfpb|attorney general|ombudsman|ftc|trading standards|regulator)\b|\b(?:an die|bei der) (?:verbraucherzentrale|schlichtungsstelle|bundesnetzagentur)\b|\b(?:saisir|saisirai) (?:la dgccrf|le m[ée]diateur|le d[ée]fenseur des droits)\b|\b(?:denuncia|reclamaci[óo]n) (?:ante|a) (?:consumo|la oficina del consumidor)\b/i

const CHURN =
  /\b(?:(?:i'?ll|i will|i'?m going to|i am going to|we'?ll|we will|i'?m|we'?re|am)\s(?:\w+\s){0,2}(?:cancel(?:l?ing)?|terminating|done)\b|cancel(?:l?ing)? (?:my|our|the) (?:\w+\+?\s)?(?:membership|subscription|account|contract|order|plan)|(?:done|finished) (?:shopping|with you)|(?:take|move|moving) (?:my|our|the whole) (?:business|account|order)|(?:switch(?:ing|ed)? to|going back to) (?:a |our |another )?(?:competitor|previous supplier|\p{Lu}\w+)|won'?t (?:be )?(?:renew|shop|buy|order)|revisit whether we renew|not renew|recommend we move|i'?m done\b|(?:kündig\w*|storniere[n]?|(?:kaufe|bestelle) (?:ich )?(?:bei (?:ihnen|euch) )?nichts mehr|nie wieder|neu ausschreiben|mitbewerber|anbieter wechseln)|r[ée]sili\w+|ne remettrai plus|plus jamais|changer de fournisseur|me doy de baja|darme de baja|no vuelvo a comprar|otro proveedor|disdetta|disdire|altro fornitore|non comprer[òo] pi[ùu]|zeg ik .{0,40}\bop\b|opzeggen|nooit meer|andere leverancier|s[äa]ga upp|rezygnuj[ęe])/iu
const REVENUE =
  /(?:[$€£]\s?\d{1,3}(?:[,.]\d{3})+|\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{2})?\s?(?:€|eur|euro|usd|\$|£|gbp)|[$€£]\s?\d+(?:\.\d+)?\s?[km]\b|\b(?:eur|usd|gbp)\s?\d+(?:\.\d+)?\s?[km]\b|~\s?(?:eur|usd)\s?\d+k)/i
const BUSINESS =
  /\b(?:our (?:account|contract|agreement|order|program|company|school|club|stores?)|the whole account|wholesale|reseller|dealer|rivenditore|händler|fournisseur|fornitore|proveedor|leverancier|supplier|vendor contracts?|po\s?[\w-]*\d|b2b|board|contract|agreement|zusammenarbeit|la stagione|next season|per la stagione)\b/i
const DEGRADED_SUBJECT = /\b(?:app|website|site|portal|checkout|log-?in|account page|my orders|online shop)\b/i
const DEGRADED_FAULT =
  /\b(?:crash(?:es|ed|ing)?|keeps crashing|error|not working|doesn'?t (?:work|load|open)|won'?t (?:load|open)|funktioniert nicht|st[üu]rzt ab|ne fonctionne pas|plante|no funciona|non funziona|werkt niet|d[àa] (?:sempre )?errore)\b/i

export function rateSeverity(facts: SeverityFacts): { severity: Severity; reasons: string[] } {
  // Typographic apostrophes read as plain ones: "d’un autre client" is "d'un autre client".
  const text = flat(facts.text).replace(/[’‘]/g, "'")
  // severity-words.ts's lists are matched without accents; a match is quoted from the text itself.
  const folded = fold(text)
  const inFolded = (re: RegExp) => matchFolded(re, text, folded)
  const found: [1 | 2 | 3, string][] = []
  const quote = (m: RegExpMatchArray) => `'${excerpt(m[0], 50)}'`

  const down = OPERATION_DOWN.map((re) => text.match(re)).find((m) => m)
  const business = text.match(BUSINESS_OPERATION) ?? inFolded(BUSINESS_STOPPED)
  const stopped = down ?? (business ? inFolded(NOT_WORKING) : null)
  if (stopped && business) found.push([1, `the customer's operation is down (${quote(stopped)}, ${quote(business)})`])
  for (const rule of RULES) {
    const m = text.match(rule.pattern)
    if (m) found.push([rule.level, `${rule.label} (${quote(m)})`])
  }
  for (const rule of MORE_LANGUAGES) {
    const m = rule.pattern === FOLLOWERS ? text.match(rule.pattern) : inFolded(rule.pattern)
    if (m) found.push([rule.level, `${rule.label} (${quote(m)})`])
  }
  const exposed =
    sentenceWithAll(text, folded, [SEEING, OTHER_PERSON, PERSONAL_DATA]) ??
    sentenceWithAll(text, folded, [RECEIVING, OTHER_PERSON, DOCUMENTS])
  if (exposed) found.push([1, `data exposure, breach or account takeover ('${excerpt(exposed, 60)}')`])
  if (facts.lawsuitServed) found.push([1, 'a lawsuit filed or served'])
  if (facts.lawyerLetter) found.push([2, "a lawyer's letter"])
  if (facts.bodyNotice) found.push([2, `a complaints body's notice (${facts.bodyNotice})`])
  if (facts.bodyComplaint) found.push([2, `the customer has filed a complaint with a complaints body (${facts.bodyComplaint})`])
  if (facts.publicExposure) found.push([2, `public exposure (${facts.publicExposure})`])
  if (facts.publicReview) found.push([3, `a lone public review (${facts.publicReview}), not amplified`])
  const many = sentenceWith(text, MANY_USERS, FAULT)
  if (many) found.push([2, `a major feature broken for many users ('${excerpt(many, 60)}')`])
  else if (down && !business) found.push([2, `a service outage (${quote(down)})`])
  const churn = text.match(CHURN)
  const revenue = text.match(REVENUE)
  const businessCustomer = text.match(BUSINESS)
  if (facts.executive && churn && revenue && businessCustomer) {
    found.push([2, `a business's revenue at risk (${quote(revenue)}) with a churn threat (${quote(churn)}) raised to ${facts.executive}`])
  }
  if (facts.executive) found.push([3, `the complaint reached ${facts.executive}`])
  if (churn) found.push([3, `churn threat (${quote(churn)})`])
  const bodyThreat = text.match(BODY_THREAT)
  if (bodyThreat) found.push([3, `threat to complain to a complaints body (${quote(bodyThreat)})`])
  const degraded = sentenceWith(text, DEGRADED_SUBJECT, DEGRADED_FAULT)
  if (degraded) found.push([3, `degraded service ('${excerpt(degraded, 60)}')`])
  const impact = IMPACT.map(([what, re]) => [what, inFolded(re)] as const).find(([, m]) => m)
  if (impact) found.push([3, `a complaint with real impact: ${impact[0]} (${quote(impact[1]!)})`])
  if (found.length === 0)
    return {
      severity: 'SEV-4',
      reasons: ['a minor matter: no impact, safety, exposure, outage, legal, regulatory, public, churn or executive signal'],
    }
  found.sort((a, b) => a[0] - b[0])
  return { severity: `SEV-${found[0]![0]}` as Severity, reasons: [...new Set(found.map((f) => f[1]))] }
}

// The rubric's facts in the other languages of the EU/EEA and BR (severity-words.ts).
const MORE_LANGUAGES: Rule[] = [
  { level: 1, label: 'data exposure, breach or account takeover', pattern: ACCOUNT_TAKEOVER },
  { level: 1, label: 'safety risk or injury', pattern: HARM },
  { level: 1, label: 'lawsuit filed or served', pattern: LAWSUIT_FILED },
  { level: 2, label: 'legal threat', pattern: LEGAL_THREAT },
  { level: 2, label: 'public exposure or media threat', pattern: MEDIA_THREAT },
  { level: 2, label: 'public exposure or media threat', pattern: FOLLOWERS },
  { level: 3, label: 'churn threat', pattern: CHURN_WORDS },
]
// What makes a complaint a real one (SEV-3), in the order a reason names it.
const IMPACT: [string, RegExp][] = [
  ['money lost', MONEY_LOST],
  ['order missing', ORDER_MISSING],
  ['product broken', PRODUCT_BROKEN],
  ['repeated failure', REPEATED],
  ['order delayed', DELAYED],
  ["a business customer's operation affected", BUSINESS_HURT],
]

/**
 * The first sentence whose folded form holds every (folded) pattern, as the text writes it
 * (sentences are short; at most 400 characters read each).
 */
function sentenceWithAll(text: string, folded: string, patterns: RegExp[]): string | null {
  let at = 0
  for (const sentence of folded.slice(0, 30_000).split(/(?<=[.!?])\s+|\n/)) {
    const start = folded.indexOf(sentence, at)
    at = start + sentence.length
    const s = sentence.slice(0, 400)
    if (patterns.every((p) => p.test(s))) return text.slice(start, start + s.length)
  }
  return null
}

/** The first sentence that holds both patterns (sentences are short; at most 400 characters read each). */
function sentenceWith(text: string, a: RegExp, b: RegExp): string | null {
  for (const sentence of text.slice(0, 30_000).split(/(?<=[.!?])\s+/)) {
    const s = sentence.slice(0, 400)
    if (a.test(s) && b.test(s)) return s
  }
  return null
}
