// The person a colleague's report is about: "Just got off the phone with Hélène Dubois
// (Managing Director, Alpenglow …, helene.dubois@…)", "Hendrik Vos (…) just called me",
// "Frau Katarzyna Nowak-Brandt war mit ihrem Sohn bei uns", "I matched him: Michael Brennan,
// michael.brennan@outlook.com", "@trailmixtessa (Tessa Ramírez, ~86K followers)".
import type { Person } from './notice-types.ts'
import { isNoReplyAddress, isOrgAddress, type OrgContext } from './org-context.ts'
import { EMAIL_IN_TEXT, excerpt, flat } from './text.ts'
import { nameTokens, readNameAt } from './names.ts'

type Found = { person: Person; reasons: string[] }
type Candidate = { name: string; at: number; end: number; weight: number; why: string }

const TRIGGERS: [RegExp, number, string][] = [
  [
    /\b(?:off the phone with|on the phone with|spoke (?:to|with)|talked (?:to|with)|speaking with|a call (?:from|with)|call from|meeting with|chat with|visit from)\s/gi,
    3,
    'the report is about',
  ],
  [
    /\b(?:matched (?:him|her|them)|identified (?:him|her|them|the (?:customer|poster|op)) as|the (?:op|poster|customer|client) is|customer(?: name)?|client|kundin|kunde|cliente|klant|klantnaam)[:,]?\s/gi,
    3,
    'the report names',
  ],
  [/@[\w.]{2,30}\s\(/g, 3, 'the report names the poster'],
  [/\b(?:heute|gestern)(?:\s(?:vormittag|morgen|nachmittag|abend))?\s(?:war|kam|rief)\s/gi, 2, 'the report says'],
  [
    /(?<![\p{L}])(?:Mr|Mrs|Ms|Miss|Mx|Dr|Herrn?|Frau|Mme|Monsieur|Madame|Sr|Sra|Sig\.ra|Sig|Dhr|Mevr|de heer|mevrouw)\.?\s/gu,
    2,
    'the report mentions',
  ],
]
// A call verb right after the name, perhaps after where they are from and a parenthesis: "Marta
// Ruiz from Cumbre Aventura (our reseller) just called me", "Hendrik Vos (…) rang", in the
// languages of the EU/EEA.
const CALLED =
  /^\s*(?:(?:from|of|at|with|von|bei|aus|de|da|di|van|fra|från|z|ze|из)\s[^.!?\n()]{1,60}?)?\s*(?:\([^)]{0,200}\)\s*)?(?:,\s)?(?:just |has |had |ha |har |hat |a |heeft )?(?:called|rang|phoned|emailed|wrote|came in|visited|complained|hat angerufen|rief an|telefonierte|a appelé|a téléphoné|ha chiamato|ha telefonato|llamó|ha llamado|belde|heeft gebeld|ligou|telefonou|ringde|ringede|ringte|soitti|zadzwoni[łl](?:a)?|volal(?:a)?|volala|h[íi]vott|a sunat|τηλεφώνησε)(?![\p{L}])/iu

export function findNamedPerson(text: string, org: OrgContext, options: { startOnly?: boolean; exclude?: string[] } = {}): Found {
  const bounded = flat(text, 20_000)
  const exclude = (options.exclude ?? []).map(nameTokens)
  const candidates: Candidate[] = []
  const consider = (at: number, weight: number, why: string) => {
    const name = readNameAt(bounded, at)
    if (!name) return
    const tokens = nameTokens(name)
    if (exclude.some((ex) => tokens.every((t) => ex.includes(t)))) return
    candidates.push({ name, at, end: at + bounded.slice(at).indexOf(name.split(' ').pop()!) + name.split(' ').pop()!.length, weight, why })
  }
  if (options.startOnly) consider(bounded.search(/\S/), 3, 'the text names')
  else {
    for (const [re, weight, why] of TRIGGERS)
      for (const m of bounded.matchAll(re)) consider(m.index + m[0].length - (re.source.startsWith('(?<!') ? m[0].length : 0), weight, why)
    // A name that opens a sentence and is followed by a call verb: "Hendrik Vos (…) just called me".
    for (const m of bounded.matchAll(/(?:^|\n|[.!?]\s)(?=\p{Lu})/gu)) {
      const at = m.index + m[0].length
      const name = readNameAt(bounded, at)
      if (name && CALLED.test(bounded.slice(at + bounded.slice(at).indexOf(name) + name.length, at + 300)))
        consider(at, 3, 'the report says')
    }
  }
  if (candidates.length === 0) return { person: { name: null, email: null }, reasons: [] }
  for (const c of candidates) if (emailNear(bounded, c.end, org)) c.weight += 2
  candidates.sort((a, b) => b.weight - a.weight || a.at - b.at)
  const best = candidates[0]!
  const email = emailNear(bounded, best.end, org)
  return {
    person: { name: best.name, email },
    reasons: [
      `${best.why} ${best.name} ('${excerpt(bounded.slice(Math.max(0, best.at - 20), best.end + 10), 60)}')`,
      ...(email ? [`the report gives their address ${email}`] : []),
    ],
  }
}

/** An outside address right after a name (inside its parentheses or after a comma), not further. */
function emailNear(text: string, end: number, org: OrgContext): string | null {
  const after = text.slice(end, end + 180)
  const stop = after.search(/[.!?]\s|\n\n/)
  const span = stop >= 0 ? after.slice(0, stop + 1) : after
  for (const m of span.matchAll(EMAIL_IN_TEXT)) {
    const email = m[0].toLowerCase()
    if (!isOrgAddress(org, email) && !isNoReplyAddress(email)) return email
  }
  return null
}
