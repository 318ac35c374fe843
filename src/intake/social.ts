// Public exposure that makes an escalation `social`: a journalist's inquiry, or a report of a
// public post (a colleague's "this is going viral" with the post pasted). A customer's threat
// to go public is not a post yet: it raises severity, it does not change the source.
import type { Person } from './notice-types.ts'
import { type OrgContext } from './org-context.ts'
import { findNamedPerson } from './people.ts'
import { excerpt, flat, signatureLines } from './text.ts'
import { anyStem, anyWord } from './words.ts'

// A press request and its deadline: pl, cs, sk, pt, sv, da, no, fi, et, lv, lt, hu, ro, el, tr, hr, sl, bg.
const PRESS_REQUEST = anyStem([
  'pro[śs]b[ae] o (?:komentarz|stanowisko)',
  'zapytanie prasowe',
  'publikacj',
  '[žz][áa]dost o vyj[áa]d[řr]en[íi]',
  'dotaz (?:m[ée]di[íi]|redakce)',
  '[žz]iados[ťt] o vyjadrenie',
  'pedido de (?:coment[áa]rio|entrevista|posicionamento)',
  'mat[ée]ria',
  'reportagem',
  'pressf[öo]rfr[åa]gan',
  'artikel(?:n|en)?',
  'publicer(?:as|es|er|ar|en)',
  'granskning',
  'svar senast',
  'frågor från',
  'sp[øo]rgsm[åa]l fra',
  'svar senest',
  'vi publicerer',
  '[čc]l[áa]nek',
  'publikov[áa]n',
  'publica[çc][ãa]o',
  'vamos publicar',
  'publicaremos',
  'pressehenvendelse',
  'henvendelse fra (?:pressen|medierne)',
  'haastattelupyynt',
  'kommenttipyynt',
  'juttu',
  'julkaist',
  'meediap[äa]ring',
  'sajt[óo]megkeres',
  'nyilatkozat',
  'solicitare de (?:punct de vedere|comentariu)',
  'bas[ıi]n (?:talebi|sorusu)',
  'haber(?:imiz|i)?',
  'αίτημα (?:για )?σχολ',
  'δημοσίευ',
  'upit (?:medija|novinara)',
  'prošnja za (?:izjavo|komentar)',
  'запитване',
  'публикац',
])

export type PublicExposure = { kind: 'press' | 'public_post'; reasons: string[]; person: Person; personReasons: string[] }

const JOURNALIST =
  /\b(?:i'?m|i am|as) an? (?:[\w-]+ ){0,3}(?:reporter|journalist|correspondent|editor|producer|columnist)\b|\b(?:consumer|investigative|security|business|tech) (?:investigative )?reporter\b|\bich recherchiere (?:für|zu)\b|\bich bin (?:journalist|redakteur)(?:in)?\b|\bredaktion\b|\bsoy periodista\b|\bperiodista (?:de|del|en)\b|\bje suis journaliste\b|\bjournaliste (?:à|au|pour|chez)\b|\bsono (?:un|una) giornalista\b|\bgiornalista (?:de|del|per)\b|\bik ben (?:journalist|verslaggever)\b|\bjag är journalist\b/i
const INQUIRY = new RegExp(
  [
    /\b(?:media|press) (?:inquiry|enquiry|request)\b|\bpresseanfrage\b|\bconsulta de prensa\b|\bdemande (?:de )?presse\b|\brichiesta (?:stampa|di commento)\b|\bpersvraag\b|\b(?:for|working on) (?:a|our|the) (?:story|piece|report|segment)\b|\bon-camera interview\b|\b(?:a )?written statement\b|\bfor comment\b|\bopportunity to respond\b|\bstellungnahme\b|\breportaje\b|\breportage\b|\bplan to publish\b|\bpublishing\b|\bnewscast\b|\bausgestrahlt\b|\bcerramos la edici[óo]n\b|\bdeadline\b|\b(?:an|un|une|ein(?:en)?|een|uno?)\s(?:article|artikel|articolo|art[íi]culo|beitrag|reportage|reportaje|sujet|servizio)\b|\b(?:bouclage|date limite|plazo|scadenza|uiterlijk)\b|\b(?:r[ée]agir|commenter|una respuesta|un commento|een reactie)\b|\bbis (?:freitag|montag|dienstag|mittwoch|donnerstag)\b.{0,30}\buhr\b/
      .source,
    // The same request in the other languages of the EU/EEA, TR, BR (Unicode word starts).
    PRESS_REQUEST.source,
  ].join('|'),
  'iu',
)

const PLATFORM =
  /\b(?:on|to|via) X\b|\b(?:tiktok|instagram|youtube|reddit|r\/\w{2,30}|twitter|x\.com|facebook|linkedin|threads|mastodon|trustpilot|google (?:review|maps))\b/i
const VIRAL =
  /\b(?:going viral|gone viral|went viral|viral|trending|front page|picking up traction|being stitched|blowing up|(?<![\d,.])\d[\d,.]{0,12}\s?[kKmM]?\+? (?:views|likes|upvotes|comments|shares|reposts|retweets|followers))\b/i
// What a customer writes about a post of theirs that is already public and spreading (an
// audience's size alone is a creator's threat, not a post).
const SPREADING =
  /\b(?:is|it'?s|has) (?:going|gone) viral\b|\bwent viral\b|\btrending\b|(?<![\d,.])\d[\d,.]{0,12}\s?[kKmM]?\+? (?:views|likes|upvotes|shares|reposts|retweets)\b|\bgeht viral\b|\best devenu viral\b|\bse ha hecho viral\b|\b[èe] diventato virale\b|\bgaat viraal\b/i

/** The text says a post or review is spreading: viral, trending, its views, likes or shares counted. */
export const isSpreading = (text: string): boolean => VIRAL.test(flat(text, 30_000))

export function readPublicExposure(text: string, fromColleague: boolean, org: OrgContext): PublicExposure | null {
  const bounded = flat(text, 30_000)
  const journalist = bounded.match(JOURNALIST) ?? signedAsJournalist(text)
  const inquiry = bounded.match(INQUIRY) ?? questionList(text)
  if (journalist && inquiry) {
    const person = findAffectedPerson(bounded, org)
    return {
      kind: 'press',
      reasons: [`a journalist's inquiry ('${excerpt(journalist[0], 40)}', '${excerpt(inquiry[0], 30)}')`],
      person: person.person,
      personReasons: person.reasons,
    }
  }
  const platform = bounded.match(PLATFORM)
  const spreading = fromColleague ? null : bounded.match(SPREADING)
  if (platform && spreading) {
    return {
      kind: 'public_post',
      reasons: [`the customer's public post is spreading (${excerpt(platform[0], 20)}, '${excerpt(spreading[0], 30)}')`],
      person: { name: null, email: null },
      personReasons: [],
    }
  }
  const viral = bounded.match(VIRAL)
  if (fromColleague && platform && viral) {
    const named = findNamedPerson(bounded, org)
    return {
      kind: 'public_post',
      reasons: [`a colleague reports a public post (${excerpt(platform[0], 20)}, '${excerpt(viral[0], 30)}')`],
      person: named.person,
      personReasons: named.reasons.length ? named.reasons : ['the report names no customer'],
    }
  }
  return null
}

/** Two or more numbered questions ("1. … ?", "2) … ?"): what a reporter sends, in any language. */
function questionList(text: string): RegExpMatchArray | null {
  const asked = text
    .slice(0, 20_000)
    .split('\n')
    .filter((l) => /^\s*\d{1,2}[.)]\s.{5,300}[?？;]\s*$/u.test(l))
  return asked.length >= 2 ? (Object.assign([asked[0]!.trim()], { index: 0 }) as RegExpMatchArray) : null
}

// A reporter who does not introduce themselves still signs as one.
const JOURNALIST_TITLE = anyWord([
  'reporter',
  'journalist(?:e|in|a)?',
  'correspondent',
  'editor',
  'producer',
  'columnist',
  'redakteur(?:in)?',
  'redaktion',
  'r[ée]dact(?:eur|rice)',
  'periodista',
  'redactor(?:a)?',
  'giornalista',
  'redatt(?:ore|rice)',
  'verslaggever',
  'redacteur',
  'jornalista',
  'rep[óo]rter',
  'dziennikar(?:z|ka)',
  'redaktor(?:ka)?',
  'nov[ií]n[áa][řr](?:ka)?',
  'report[ée]r(?:ka)?',
  'toimittaja',
  'ajakirjanik',
  '[žz]urn[āa]list(?:s|e|as|ė|a)?',
  '[úu]js[áa]g[íi]r[óo]',
  'riporter',
  'ziarist(?:[ăa]|ul)?',
  'δημοσιογράφος',
  'gazeteci',
  'muhabir(?:i)?',
  'novinar(?:ka)?',
  'журналист(?:ка)?',
])

function signedAsJournalist(text: string): RegExpMatchArray | null {
  for (const line of signatureLines(text, 10)) {
    const m = line.length <= 80 ? line.match(JOURNALIST_TITLE) : null
    if (m) return m
  }
  return null
}

// "One of them, viewer Dolores Fitzgerald of Beaverton", "Una de ellas, Montserrat Aguilar Roca":
// the consumer a journalist writes about. The journalist is never the customer.
const AFFECTED =
  /\b(?:one of them|viewer|reader|listener|a (?:northwind )?(?:customer|member)|customer|member|una de ellas|uno de ellos|eine(?:r)? von ihnen|die kundin|der kunde|l'une d'(?:elles|eux)|l'un d'eux|una di loro|uno di loro|een van hen|la clienta|el cliente|la cliente|il cliente|dont|darunter|entre (?:ellos|ellas)|tra cui|tra questi|waaronder|including|such as)[,:]?\s(?:viewer\s|reader\s)?/gi

function findAffectedPerson(text: string, org: OrgContext): { person: Person; reasons: string[] } {
  for (const m of text.matchAll(AFFECTED)) {
    const named = findNamedPerson(text.slice(m.index + m[0].length, m.index + m[0].length + 80), org, { startOnly: true })
    if (named.person.name)
      return {
        person: { name: named.person.name, email: null },
        reasons: [
          `the inquiry names the customer ('${excerpt(text.slice(m.index, m.index + m[0].length + 30), 50)}')`,
          'a journalist is not the customer',
        ],
      }
  }
  return { person: { name: null, email: null }, reasons: ['the inquiry names no customer', 'a journalist is not the customer'] }
}
