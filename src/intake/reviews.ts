// A review platform's notice of one review, mention or comment about the business (Trustpilot,
// Google, Yelp, Tripadvisor, Facebook, X, Kiyoh…): public exposure, read as a complaint when
// it is one (a low rating, or complaint words without a rating). The reviewer is the customer;
// platforms never give the reviewer's address. Their marketing and digests are not notices.
import type { NoticeDoc, NoticeReading } from './notice-types.ts'
import { domainOf, isNoReplyAddress } from './org-context.ts'
import { findReference } from './references.ts'
import { excerpt } from './text.ts'
import { displayName, looksLikePersonName } from './names.ts'
import { anyStem, labelLine } from './words.ts'

export const PLATFORM_DOMAIN =
  /(?:^|\.)(?:trustpilot\.com|avis-verifies\.com|verified-reviews\.com|opiniones-verificadas\.com|yelp\.com|facebookmail\.com|facebook\.com|meta\.com|x\.com|twitter\.com|kiyoh\.com|kiyoh\.nl|klantenvertellen\.nl|tripadvisor\.[a-z.]+|redditmail\.com|reddit\.com|instagram\.com|tiktok\.com|linkedin\.com|feefo\.com|reviews\.io|trustedshops\.[a-z.]+|ekomi\.[a-z.]+|provenexpert\.com|sitejabber\.com|google\.com|googlemail\.com|reclameaqui\.com\.br|consumidor\.reclameaqui\.com\.br|ceneo\.pl|opineo\.pl|heureka\.cz|heureka\.sk|zbozi\.cz|arukereso\.hu|prisjakt\.nu|pricerunner\.[a-z.]+|reco\.se|trustmary\.com|idealo\.[a-z.]+|complaintsboard\.com|pissedconsumer\.com|productreview\.com\.au|consumeraffairs\.com|bbb\.reviews|glassdoor\.[a-z.]+)$/
// The platform's notice of one review, mention, comment or complaint (not its marketing or a
// digest), in the languages of the EU/EEA and BR. "Doesn't recommend" is a rating of its own.
const NEW_ITEM = anyStem([
  String.raw`new (?:\d-star )?review`,
  'has a new review',
  'you have a new review',
  String.raw`new \d[- ]star review`,
  'mentioned you',
  String.raw`replied to (?:you|your)`,
  'commented on',
  String.raw`new complaint`,
  'ha commentato',
  String.raw`a comment[ée]`,
  String.raw`hat .{0,40}kommentiert`,
  String.raw`coment[óo]`,
  'heeft gereageerd',
  String.raw`neue (?:rezension|bewertung)`,
  'nouvel avis',
  String.raw`nueva rese[ñn]a`,
  'nuova recensione',
  String.raw`nieuwe (?:beoordeling|review|recensie)`,
  'ny recension',
  String.raw`nytt omd[öo]me`,
  'ny anmeldelse',
  'ny vurdering',
  'uusi arvostelu',
  'nowa opinia',
  'nowa recenzja',
  String.raw`nov[áé] (?:recenze|hodnocen[íi])`,
  String.raw`[úu]j [ée]rt[ée]kel[ée]s`,
  String.raw`recenzie nou[ăa]`,
  String.raw`nova (?:reclama[çc][ãa]o|avalia[çc][ãa]o)`,
  String.raw`recebeu uma nova`,
  String.raw`nueva reclamaci[óo]n`,
  String.raw`commented on your`,
  String.raw`kommenterade`,
  'kommenterte',
  'kommenterede',
])
const NOT_RECOMMENDED_WORDS = [
  String.raw`doesn['’]t recommend`,
  'does not recommend',
  String.raw`empfiehlt .{1,60} nicht`,
  'ne recommande pas',
  'no recomienda',
  'non consiglia',
  'non raccomanda',
  String.raw`raadt .{1,60} niet aan`,
  String.raw`beveelt .{1,60} niet aan`,
  String.raw`n[ãa]o recomenda`,
  'rekommenderar inte',
  'anbefaler ikke',
  'ei suosittele',
  'nie poleca',
  String.raw`nedoporu[čc]uje`,
  String.raw`neodpor[úu][čc]a`,
  String.raw`nem aj[áa]nlja`,
  String.raw`nu recomand[ăa]`,
  String.raw`δεν προτείνει`,
]
const NOT_RECOMMENDED = anyStem(NOT_RECOMMENDED_WORDS)

export function readPlatformNotice(doc: NoticeDoc, lines: string[]): NoticeReading | null {
  const domain = doc.from?.email ? domainOf(doc.from.email) : ''
  const text = `${doc.subject}\n${lines.join('\n')}`
  const opening = text.slice(0, 8000)
  const notRecommended = opening.match(NOT_RECOMMENDED)
  const item = opening.match(NEW_ITEM) ?? notRecommended
  if (!item) return null
  const rating = notRecommended ? { stars: 1, text: `'${excerpt(notRecommended[0], 40)}'` } : ratingOf(text)
  // A platform we do not know by name still reads as one: an automatic sender announcing one
  // new rated review.
  const automatic = doc.bulk || (!!doc.from?.email && isNoReplyAddress(doc.from.email))
  if (!PLATFORM_DOMAIN.test(domain) && !(automatic && rating)) return null
  const words = reviewText(lines)
  if (rating !== null ? rating.stars > 2 : !COMPLAINT_WORDS.test(words)) return null
  const reviewer = reviewerName(doc, lines)
  const platform = displayName(doc.from?.name) ?? domain
  const reasons = [`review-platform notice from ${domain} ('${excerpt(item[0], 40)}')`]
  if (rating) reasons.push(`rated ${rating.text}`)
  // A complaints platform numbers each complaint ("ID da reclamação", "Complaint ID").
  const reference = findReference([doc.subject, lines.slice(0, 40).join('\n')], 'platform')
  if (reference) reasons.push(reference.reason)
  return {
    channel: { kind: 'review_platform', name: platform, email: null, reference: reference?.value ?? null },
    consumer: { name: reviewer?.name ?? null, email: null },
    reference,
    complaint: words,
    reasons: {
      channel: reasons,
      customer: [reviewer ? reviewer.reason : 'the notice names no reviewer', 'platforms never give the reviewer’s address'],
    },
  }
}

// What a complaint says when the platform shows no rating, in the languages of the EU/EEA and BR.
const COMPLAINT_WORDS = anyStem([
  'refund',
  'never',
  'still no',
  'no reply',
  'no answer',
  'worst',
  'broken',
  'cheated',
  'avoid',
  'disappointed',
  'terrible',
  'awful',
  'scam',
  'rude',
  'refused',
  'vergogna',
  'rimborso',
  'truffa',
  String.raw`pessim[oa]`,
  'non risponde',
  'rotto',
  'schlecht',
  'frechheit',
  'nie wieder',
  'betrug',
  'kaputt',
  'antwortet nicht',
  'arnaque',
  String.raw`d[ée]cevant`,
  'honteux',
  'rembours',
  'jamais',
  String.raw`cass[ée]`,
  'estafa',
  String.raw`verg[üu]enza`,
  String.raw`p[ée]simo`,
  'reembolso',
  'roto',
  'nadie responde',
  'slecht',
  'slechtste',
  'oplichters',
  'teleurgesteld',
  'geld terug',
  'kapot',
  'reageert niet',
  'rasgad',
  'quebr',
  String.raw`ningu[ée]m respond`,
  'dinheiro de volta',
  String.raw`p[ée]ssim`,
  'nunca chegou',
  'golpe',
  'descaso',
  'aldrig',
  'trasig',
  String.raw`gick s[öo]nder`,
  'svarar inte',
  'pengarna tillbaka',
  String.raw`bedr[äa]geri`,
  String.raw`l[äa]ckte`,
  'aldri igjen',
  'aldrig igen',
  String.raw`[øo]delagt`,
  'i stykker',
  'revnet',
  'svarer ikke',
  'har ikke svart',
  'pengene tilbake',
  'svindel',
  'ei vastaa',
  'rikki',
  'huono',
  'huijaus',
  'rahat takaisin',
  String.raw`nigdy wi[ęe]cej`,
  'zepsut',
  'oszust',
  'nie odpowiada',
  String.raw`zwrot pieni[ęe]dzy`,
  'fatalny',
  String.raw`nikdy v[íi]ce`,
  'rozbit',
  'podvod',
  String.raw`neodpov[íi]d`,
  String.raw`vr[áa]cen[íi] pen[ěe]z`,
  'roztrh',
  String.raw`soha t[öo]bb[ée]`,
  String.raw`[ţt]eap[ăa]`,
  'niciodat',
])

function ratingOf(text: string): { stars: number; text: string } | null {
  const stars = /([★]{1,5})([☆]{0,5})/.exec(text)
  if (stars) return { stars: stars[1]!.length, text: `${stars[1]!.length} of ${stars[1]!.length + stars[2]!.length} stars` }
  const outOf = /\brated (\d) out of 5\b|\b(\d)[- ]star\b|\b(\d) (?:stern|sterne|étoiles?|estrellas?|stelle|stella|ster|sterren)\b/i.exec(
    text,
  )
  if (outOf) return { stars: Number(outOf[1] ?? outOf[2] ?? outOf[3]), text: `${outOf[1] ?? outOf[2] ?? outOf[3]} of 5` }
  const ten = /\b(?:score|cijfer|note|voto)\s?[:：]?\s?(\d{1,2})\s?\/\s?10\b/i.exec(text)
  if (ten) return { stars: Math.round(Number(ten[1]) / 2), text: `${ten[1]} of 10` }
  return null
}

function reviewText(lines: string[]): string {
  const joined = lines.join('\n')
  // A quoted review, not a few quoted words inside one ("escalated to the relevant team").
  const quoted = joined.match(/["“„«]([^"“”„«»]{60,3000})["”“»]/u)?.[1]
  if (quoted) return quoted
  // Without quotes the review is the longest line: headings and links are short.
  return [...lines].sort((a, b) => b.length - a.length)[0] ?? ''
}

// "Kari Nordli anbefaler ikke …", "Marco Bellini ha commentato …": the reviewer opens the line.
const ACTED_WORDS = [
  'commented on',
  'ha commentato',
  'a comment[ée]',
  String.raw`hat\s.{0,40}kommentiert`,
  'coment[óo]',
  'heeft gereageerd',
  'replied to',
  'reviewed',
  'kommenterade',
  'kommenterte',
  'kommenterede',
  'komentowa',
  'okomentoval',
]
const ACTED = new RegExp(String.raw`^(.{3,60}?)\s(?:${[...ACTED_WORDS, ...NOT_RECOMMENDED_WORDS].join('|')})`, 'iu')
const REVIEWER_LABEL = labelLine(
  [
    'door',
    'by',
    'von',
    'par',
    'por',
    'da',
    'av',
    'reviewer',
    'auteur',
    'autor',
    'autorka',
    'consumidor(?:a)?',
    'cliente',
    'kunde',
    'kund',
    'recenzent',
    'arvostelija',
    'anmelder',
    'anmeldare',
    'reklamuj[ąa]c[ya]',
  ],
  '(.+)',
)

function reviewerName(doc: NoticeDoc, lines: string[]): { name: string; reason: string } | null {
  const fromSubject = /\breview from (.{3,60}?)\s*$/i.exec(doc.subject)?.[1]
  if (fromSubject && looksLikePersonName(fromSubject))
    return { name: fromSubject, reason: `the notice's subject names the reviewer ('${excerpt(doc.subject, 50)}')` }
  for (const line of [doc.subject, ...lines.slice(0, 12)]) {
    const acted = /^(.{3,60}?)\s\(?@[\w.]{1,40}\)?\s(?:mentioned|replied|quoted|tagged)/.exec(line) ?? ACTED.exec(line)
    if (acted && looksLikePersonName(acted[1]!)) return { name: acted[1]!, reason: `the notice says '${excerpt(line, 50)}'` }
  }
  for (const line of lines.slice(0, 30)) {
    const by = REVIEWER_LABEL.exec(line)
    const name = by?.[1]!.split(/,| · /)[0]!.trim()
    if (name && looksLikePersonName(name)) return { name, reason: `the notice names the reviewer ('${excerpt(line, 40)}')` }
  }
  // Layouts that show the reviewer on a line of their own just above the rating.
  const ratingAt = lines.findIndex((l) => /[★]|\brated \d out of\b|\bscore\s?[:：]/i.test(l))
  for (let i = ratingAt - 1; i >= 0 && i >= ratingAt - 3; i--) {
    const line = lines[i]!
    if (/·|\breviews?\b|^\d/.test(line)) continue
    if (looksLikePersonName(line)) return { name: line, reason: `the notice shows the reviewer '${excerpt(line, 40)}' above the rating` }
  }
  return null
}
