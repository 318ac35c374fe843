// The reference a complaints body, a law firm or a court gives a matter, as they write it:
// "Our Ref:", "Our File No.", "Matter No.", "Case #", "Complaint ID", "Unser Az.:", "Réf. :",
// "N/Ref.", "Ns. Rif.", "Expte.", "Dossiernummer", "Fascicolo n.", CFPB's YYMMDD-NNNNNNN, a
// BBB complaint number, a court's case number. "Your ref" is our own reference quoted back; an
// order, invoice or ticket number is never a reference.
import { excerpt } from './text.ts'

/** `body`: the complaints body a customer's own mail quotes the reference of (BBB, CFPB). */
export type Reference = { value: string; reason: string; body?: string }
/** Where the text comes from: a notice or letter may use any label; a customer's own mail only
 * the number of a complaint filed with a body or of a claim filed in court. */
export type ReferenceSource = 'notice' | 'counsel' | 'customer' | 'platform'

// Labels a sender puts before a reference, in the languages of the EU/EEA and the UK/US/AU/CA/IE,
// BR, ranked: the sender's own ("Our ref", "Unser Zeichen", "N/Réf.", "Vår referens", "Nasz znak",
// "Naše č. j.", "Nossa ref.") before a generic one ("File No.", "Case #", "Ärendenummer", "Znak
// sprawy", "Č. j."), and a court's case number last ("Case No." beside a court, "Sygn. akt",
// "Processo n.º", "Docket No."): counsel writes its own file reference beside the court's.
// The recipient's reference quoted back ("Your ref", "Ihr Zeichen", "Er referens", "Wasz znak",
// "Vaše č. j.", "Sua referência") is never the sender's.
const OWN_LABELS = [
  String.raw`our\s{1,3}(?:file|matter|case)(?:\s{1,3}(?:no\.?|number|#|ref(?:erence)?))?`,
  String.raw`our\s{1,3}ref(?:erence)?\.?`,
  String.raw`referencia\s{1,3}de\s{1,3}nuestro\s{1,3}despacho`,
  String.raw`unser(?:e)?\s{1,3}(?:az\.|aktenzeichen|gesch[äa]ftszeichen|zeichen)`,
  String.raw`n(?:os)?\s{0,2}\/\s{0,2}r[ée]f(?:[ée]rence)?s?\.?`,
  String.raw`nos\s{1,3}r[ée]f(?:[ée]rence)?s?\.?`,
  String.raw`notre\s{1,3}r[ée]f(?:[ée]rence)?\.?`,
  String.raw`n(?:uestra)?\s{0,2}\/\s{0,2}ref(?:erencia)?\.?`,
  String.raw`nuestra\s{1,3}ref(?:erencia)?\.?`,
  String.raw`n(?:ostro|s)\.?\s{0,2}rif(?:erimento)?\.?`,
  String.raw`ons\s{1,3}kenmerk`,
  String.raw`nossa\s{1,3}ref(?:er[êe]ncia)?\.?`,
  String.raw`v[åa]r\s{1,3}ref(?:erens|erence)?\.?`,
  String.raw`vores\s{1,3}ref(?:erence)?\.?`,
  String.raw`viitteemme`,
  String.raw`nasz\s{1,3}znak`,
  String.raw`na[šs]e\s{1,3}(?:[čc]\.\s?j\.|zn(?:a[čc]ka)?\.?|[čc][íi]slo\s{1,3}jednac[íi])`,
  String.raw`n[áa][šs]\s{1,3}znak`,
  String.raw`[üu]gysz[áa]munk`,
  String.raw`hivatkoz[áa]si\s{1,3}sz[áa]munk`,
  String.raw`referin[țt]a\s{1,3}noastr[ăa]`,
  String.raw`meie\s{1,3}viide`,
  String.raw`m[ūu]s[uų]\s{1,3}nr\.?`,
  String.raw`na[šs]a\s{1,3}(?:zna[čc]ka|[šs]tevilka)`,
  String.raw`na[šs]\s{1,3}broj`,
  String.raw`bizim\s{1,3}referans(?:[ıi]m[ıi]z)?`,
]
const GENERIC_LABELS = [
  String.raw`matter\s{1,3}(?:no\.?|number|#|ref(?:erence)?)`,
  String.raw`(?:\b[A-Z]{2,6}\s{1,3})?file\s{1,3}(?:no\.?|number|#)`,
  String.raw`case\s{0,3}\/\s{0,3}reference\s{1,3}(?:no\.?|number)`,
  String.raw`case\s{1,3}reference`,
  String.raw`case\s{0,3}(?:#|no\.?|number|id)`,
  String.raw`complaint\s{0,3}(?:#|no\.?|number|id|reference)`,
  String.raw`reference\s{1,3}(?:number|no\.?)`,
  String.raw`(?:reclamaci[óo]n|r[ée]clamation|reclamo|beschwerde|klacht|queja|denuncia|plainte|reclama[çc][ãa]o|queixa|skargi?|reklamacji|st[íi][žz]nosti)\s{0,3}(?:n\.?\s?[º°o]\.?|nr\.?|no\.?|#|nummer|n[úu]mero|numero)`,
  String.raw`(?:id|n[úu]mero|c[óo]digo)\s{1,3}da\s{1,3}(?:reclama[çc][ãa]o|queixa)`,
  String.raw`protocolo(?:\s{1,3}n\.?\s?[º°o])?`,
  String.raw`az\.`,
  'aktenzeichen',
  String.raw`gesch[äa]fts(?:zeichen|zahl)`,
  'gz',
  'vorgangsnummer',
  'fallnummer',
  'zeichen',
  String.raw`r[ée]f\.`,
  String.raw`plainte\s{1,3}n[°º]`,
  String.raw`num[ée]ro\s{1,3}de\s{1,3}dossier`,
  String.raw`dossier\s{1,3}n[°º]`,
  String.raw`expte\.`,
  String.raw`expediente(?:\s{1,3}n\.?\s?º)?`,
  String.raw`fascicolo(?:\s{1,3}n\.?)?`,
  String.raw`prot(?:ocollo)?\.\s{0,2}n\.?`,
  'dossiernummer',
  'zaaknummer',
  'klachtnummer',
  'kenmerk',
  String.raw`ref(?:erence)?(?=\s?[:#])`,
  'diarienummer',
  'dnr',
  String.raw`[äa]rendenummer`,
  String.raw`[äa]rende(?:\s{1,3}nr\.?)?`,
  'saksnummer',
  String.raw`saksnr\.?`,
  'sagsnummer',
  String.raw`sagsnr\.?`,
  String.raw`j\.\s?nr\.?`,
  'diaarinumero',
  'dnro',
  'asianumero',
  String.raw`znak\s{1,3}sprawy`,
  String.raw`numer\s{1,3}sprawy`,
  String.raw`sprawa\s{1,3}nr\.?`,
  String.raw`[čc][íi]slo\s{1,3}jednac[íi]`,
  String.raw`[čc]\.\s?j\.`,
  String.raw`zn\.`,
  String.raw`[üu]gysz[áa]m`,
  String.raw`iktat[óo]sz[áa]m`,
  String.raw`hivatkoz[áa]si\s{1,3}sz[áa]m`,
  String.raw`nr\.?\s{1,3}(?:de\s{1,3})?[îi]nregistrare`,
  String.raw`num[ăa]r\s{1,3}(?:de\s{1,3})?dosar`,
  // hr, sl, el, tr, lt, lv, bg; "Nr. 4-13/6721" heading an office's letter in many of them
  String.raw`nr\.?(?=\s?[:]?\s?[\p{L}\d]{0,8}\d[\d]*[-/.])`,
  'klasa',
  String.raw`ur\.?\s{0,2}broj`,
  String.raw`broj\s{1,3}predmeta`,
  String.raw`[šs]tevilka(?:\s{1,3}zadeve)?`,
  String.raw`[αa]ρ(?:ιθ(?:μ[όο]ς)?)?\.?\s{0,2}(?:φακ(?:[έε]λου)?|πρωτ(?:οκ[όο]λλου)?)\.?`,
  String.raw`(?:dosya|ba[şs]vuru|[şs]ikayet)\s{0,3}(?:no|numaras[ıi])`,
  String.raw`(?:bylos|skundo|registracijos)\s{1,3}nr\.?`,
  String.raw`(?:lietas|re[ģg]istr[āa]cijas)\s{1,3}nr\.?`,
  String.raw`изх\.?\s{0,2}№`,
  String.raw`преписка\s{1,3}№`,
]
const COURT_LABELS = [
  String.raw`sygn(?:atura)?\.?\s{1,3}akt`,
  String.raw`processo\s{1,3}n\.?\s?[º°o]`,
  String.raw`n\.?\s?[º°o]\s{1,3}(?:do\s{1,3})?processo`,
  String.raw`docket\s{1,3}(?:no\.?|number)`,
  String.raw`index\s{1,3}(?:no\.?|number)`,
  String.raw`claim\s{1,3}(?:no\.?|number)`,
  String.raw`spisov[áa]\s{1,3}zna[čc]ka`,
  String.raw`sp\.\s?zn\.`,
  String.raw`rg\s{1,3}n[°º]`,
  String.raw`aktenzeichen\s{1,3}(?:des\s{1,3})?gerichts?`,
  String.raw`az\.\s{1,3}(?:des\s{1,3})?gerichts?`,
  String.raw`m[åa]l\s{1,3}nr\.?`,
]
const THEIR_LABELS = [
  String.raw`your\s{1,3}ref(?:erence)?`,
  String.raw`ihr(?:e)?\s{1,3}(?:zeichen|az\.|aktenzeichen|schreiben)`,
  String.raw`v(?:otre|\/)\s{0,2}r[ée]f(?:[ée]rence)?`,
  String.raw`vuestra\s{1,3}ref`,
  String.raw`s\/\s{0,2}ref`,
  String.raw`su\s{1,3}ref(?:erencia)?`,
  String.raw`vs\.?\s{0,2}rif`,
  String.raw`vostro\s{1,3}rif`,
  String.raw`uw\s{1,3}kenmerk`,
  String.raw`sua\s{1,3}ref(?:er[êe]ncia)?`,
  String.raw`e(?:de)?r\s{1,3}ref(?:erens)?`,
  String.raw`deres\s{1,3}ref`,
  String.raw`jeres\s{1,3}ref`,
  'viitteenne',
  String.raw`wasz\s{1,3}znak`,
  String.raw`va[šs]e\s{1,3}(?:[čc]\.\s?j\.|zn(?:a[čc]ka)?\.?)`,
  String.raw`referin[țt]a\s{1,3}dumneavoastr[ăa]`,
  String.raw`teie\s{1,3}viide`,
  String.raw`va[šs]a\s{1,3}(?:zna[čc]ka|[šs]tevilka)`,
  String.raw`va[šs]\s{1,3}broj`,
]

type Rank = 0 | 1 | 2
// One pattern, the recipient's labels first so that "Your ref" is never read as "ref".
const LABEL = new RegExp(
  [THEIR_LABELS, OWN_LABELS, COURT_LABELS, GENERIC_LABELS]
    .map((group, g) => `(?<g${g}>${group.map((l) => `(?<![\\p{L}])(?:${l})(?![\\p{L}])`).join('|')})`)
    .join('|'),
  'giu',
)
const COURT_CONTEXT =
  /(?<![\p{L}])(?:court|small claims|superior|district|circuit|tribunal|gericht|landgericht|amtsgericht|juzgado|tribunale|rechtbank|s[ąa]d|soud|tingsr[äa]tt|tingrett|byret|k[äa]r[äa]j[äa]oikeus|b[ií]r[óo]s[áa]g|judec[ăa]tori|juizado|filed|eingereicht|zugestellt|served|lawsuit|klage|pozew|[žz]alob|st[äa]mning|stevning|st[æa]vning|v\.|vs\.)(?![\p{L}])/iu
const COMPLAINT_LABEL = /complaint|reclama|queixa|queja|plainte|beschwerde|klacht|reklam|skarg|st[íi][žz]nost|protocolo/i

/**
 * The best labelled reference of a notice or letter: the sender's own before a generic one before a
 * court's, the first of its rank across the texts in order. A platform notice only numbers complaints.
 */
function labelledReference(texts: string[], source: ReferenceSource): Reference | null {
  let best: (Reference & { rank: Rank }) | null = null
  for (const text of texts) {
    const bounded = text.slice(0, 40_000)
    for (const m of bounded.matchAll(LABEL)) {
      const groups = m.groups ?? {}
      if (groups.g0) continue
      const label = m[0]
      if (source === 'platform' && !COMPLAINT_LABEL.test(label)) continue
      const court = !!groups.g2 || (/^case/i.test(label) && COURT_CONTEXT.test(bounded.slice(Math.max(0, m.index - 200), m.index + 80)))
      const rank: Rank = groups.g1 ? 0 : court ? 2 : 1
      if (best && best.rank <= rank) continue
      const value = readValue(bounded, m.index + label.length)
      if (value) best = { value, reason: `reference '${excerpt(`${label.trim()} ${value}`, 60)}'`, rank }
      if (best?.rank === 0) return { value: best.value, reason: best.reason }
    }
  }
  return best ? { value: best.value, reason: best.reason } : null
}

export function findReference(texts: string[], source: ReferenceSource): Reference | null {
  if (source !== 'customer') return labelledReference(texts, source)
  for (const text of texts) {
    const found = customerReference(text)
    if (found) return found
  }
  return null
}

/**
 * In a customer's own mail only what ties it to a body or a court: "my BBB complaint #22874013",
 * "filed a complaint with the Better Business Bureau, my confirmation number is 22896577",
 * "a small claims case … (case number 26-2-04417-1 SEA)". Their support tickets are not references.
 */
function customerReference(text: string): Reference | null {
  const bounded = text.slice(0, 40_000)
  const bbb = bbbNumber(bounded)
  if (bbb) return { value: `BBB-${bbb}`, reason: `the customer quotes BBB complaint ${bbb}`, body: 'BBB' }
  const cfpb = cfpbNumber(bounded, { nearCfpb: true })
  if (cfpb) return { value: cfpb, reason: `the customer quotes CFPB complaint ${cfpb}`, body: 'CFPB' }
  for (const m of bounded.matchAll(
    /(?<![\p{L}])(?:(?:case|claim|docket|file)\s{1,3}(?:number|no\.?|#)|aktenzeichen|az\.(?=\s)|sygn\.\s?akt|spisov[áa]\s{1,3}zna[čc]ka|processo\s{1,3}n\.?\s?º|m[åa]lnummer)/giu,
  )) {
    const around = bounded.slice(Math.max(0, m.index - 200), m.index + 60)
    if (!COURT_CONTEXT.test(around)) continue
    const value = readValue(bounded, m.index + m[0].length)
    if (value) return { value, reason: `court case number ${value}` }
  }
  return null
}

/** An eight-digit number that the text ties to the BBB (within a sentence or two). */
export function bbbNumber(text: string): string | null {
  for (const m of text.slice(0, 40_000).matchAll(/(?<![\d-])#?\s?(\d{8})(?![\d-])/g)) {
    const around = text.slice(Math.max(0, m.index - 160), m.index + 40)
    if (/\b(?:BBB|Better Business Bureau)\b/i.test(around) && /\b(?:complaint|case|confirmation|reference|ID)\b/i.test(around)) return m[1]!
  }
  return null
}

/**
 * The CFPB's complaint numbers: YYMMDD- and seven or eight digits. In a customer's own mail the
 * number counts only beside the CFPB's name: an order number can look the same.
 */
export function cfpbNumber(text: string, options: { nearCfpb?: boolean } = {}): string | null {
  const bounded = text.slice(0, 40_000)
  for (const m of bounded.matchAll(/(?<![\d-])(\d{2})(\d{2})(\d{2})-\d{7,8}(?![\d-])/g)) {
    const month = Number(m[2])
    const day = Number(m[3])
    if (month < 1 || month > 12 || day < 1 || day > 31) continue
    if (
      options.nearCfpb &&
      !/\b(?:CFPB|Consumer Financial Protection Bureau)\b/i.test(bounded.slice(Math.max(0, m.index - 200), m.index + 80))
    )
      continue
    return m[0]
  }
  return null
}

/**
 * The reference after a label: up to five tokens, the first (after at most three label words
 * such as "n°" or "Gericht:") holding a digit, then tokens that hold a digit or are short
 * capitals ("412/26 BR07", "12 O 4471/26", "US 4417/26", "26-2-04417-1 SEA"). Stops at a
 * separator (" - ", "–", ",", ";", "(", "|") or a written word.
 */
// A token of a reference: letters of any alphabet ("ČOI", "KRIL"), digits, and . _ / - inside.
const REFERENCE_TOKEN = /^[\p{L}\p{N}][\p{L}\p{N}._/-]*$/u

function readValue(text: string, start: number): string | null {
  const span = text.slice(start, start + 90).split(/\r?\n/, 1)[0]!
  const cut = span.split(/\s[-–—|]\s|[–—;,()|]|\s\.\/\.\s/, 1)[0]!.replace(/^[\s:#.]+/, '')
  const tokens = cut.split(/\s+/).filter(Boolean).slice(0, 8)
  const kept: string[] = []
  let skipped = 0
  for (const raw of tokens) {
    const t = raw.replace(/^#/, '').replace(/[.:,)]+$/, '')
    if (!t) continue
    const hasDigit = /\d/.test(t)
    const shortCaps = /^\p{Lu}{1,5}$/u.test(t)
    if (kept.length === 0) {
      if (hasDigit && REFERENCE_TOKEN.test(t)) kept.push(t)
      else if (shortCaps && tokens.length > 1) kept.push(t)
      else if (skipped++ < 3) continue
      else break
    } else if ((hasDigit && REFERENCE_TOKEN.test(t)) || shortCaps) kept.push(t)
    else break
    if (/[.]$/.test(raw) && kept.length > 0 && hasDigit) break
    if (kept.length >= 5) break
  }
  // A leading capital word needs a number after it ("US 4417/26"), a trailing one stays ("… SEA").
  while (kept.length && !/\d/.test(kept[0]!) && !(kept[1] && /\d/.test(kept[1]))) kept.shift()
  const value = kept.join(' ').replace(/[._/-]+$/, '')
  if (value.length < 3 || value.length > 40 || (value.match(/\d/g) ?? []).length < 2) return null
  return value
}

/** A reference-shaped token in an attachment's file name: "OAG_BCFP_26-118704_Lindqvist.pdf". */
export function referenceInFileName(name: string): string | null {
  const stem = name.replace(/\.[A-Za-z0-9]{2,5}$/, '')
  const tokens = stem.split(/[_\s]+/).filter((t) => /\d/.test(t) && /[-/.]/.test(t) && t.length >= 6 && !/^\d{4}-\d{2}-\d{2}$/.test(t))
  return tokens[0] ?? null
}
