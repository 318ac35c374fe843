// Reading people's names as mail writes them: titles and forms of address dropped, "Kim, Rachel"
// turned round, a name read where a sentence names someone, two spellings of one name compared.
// Linear in the words read: mail text is untrusted and can be long.
import { declinedFormOf, toNominative } from './declension.ts'
import { HONORIFIC, NAME_STOP, NOT_NAME_WORDS, PARTICLES } from './name-words.ts'

/** "Herr Dr. Jörg Bäumler" → "Jörg Bäumler": titles never belong to the name we store. */
export function stripHonorifics(name: string): string {
  const words = name.trim().split(/\s+/)
  let i = 0
  while (i < words.length - 1 && (HONORIFIC.test(words[i]!) || (i + 1 < words.length && HONORIFIC.test(`${words[i]} ${words[i + 1]}`)))) {
    i += HONORIFIC.test(words[i]!) ? 1 : 2
  }
  return words.slice(i).join(' ')
}

export type NameOptions = { allowCompany?: boolean }

// A capitalised word of letters (O'Connell, McAllister, Okonjo-Pratt, Hyun-woo, Ørsted).
const NAME_WORD = /^\p{Lu}[\p{L}\p{M}'’\-]*$/u
const OTHER_SCRIPT_WORD = /^[\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Han}\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Hangul}]+$/u
const COMPANY_WORD = /^(?:&|LLC|Inc\.?|Ltd\.?|GmbH|SARL|SAS|S\.?L\.?|S\.?r\.?l\.?|B\.?V\.?|Snc|Co\.?|AG|AB|A\/S|Oy)$/

/**
 * Whether a short string reads like a person's name as people write it: two to five words,
 * each capitalised (or a particle such as "de", "van"), letters only, or a name in a script
 * without capitals. "Kayla M." and "G Lowther" count; sentences and roles do not.
 */
export function looksLikePersonName(value: string, options: NameOptions = {}): boolean {
  const s = value.trim()
  if (s.length < 3 || s.length > 60 || /[@\d:;,!?/\\|<>()[\]{}"“”«»#*+=_]/.test(s)) return false
  const words = s.split(/\s+/)
  if (words.length < 1 || words.length > 5) return false
  if (words.length === 1) return /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]{2,8}$/u.test(s)
  let capitalised = 0
  for (const [i, w] of words.entries()) {
    const bare = w.replace(/[.,]$/, '')
    if (NOT_NAME_WORDS.has(bare.toLowerCase()) && !(options.allowCompany && i > 0)) return false
    if (i > 0 && PARTICLES.has(bare.toLowerCase())) continue
    if (options.allowCompany && i > 0 && COMPANY_WORD.test(bare)) continue
    if (NAME_WORD.test(bare) || /^\p{Lu}\.?$/u.test(bare) || OTHER_SCRIPT_WORD.test(bare)) {
      capitalised++
      continue
    }
    return false
  }
  return capitalised >= 2 || (capitalised >= 1 && words.length >= 2 && words.some((w) => PARTICLES.has(w.toLowerCase())))
}

/** "Kim, Rachel" → "Rachel Kim"; "HAROLD JENNINGS" stays as written (compared case-insensitively). */
export function displayName(name: string | null | undefined): string | null {
  const n = (name ?? '')
    .replace(/^["'“]+|["'”]+$/g, '')
    .replace(/\s+/g, ' ')
    .trim()
  if (!n || n.includes('@')) return null
  const comma = /^([\p{L}'’\-]+(?: [\p{L}'’\-]+)?), ([\p{L}'’\-]+(?: [\p{L}'’\-]+)?)$/u.exec(n)
  if (comma && !/\b(?:inc|ltd|llc|gmbh)\b/i.test(n)) return `${comma[2]} ${comma[1]}`
  return n
}

/** The words of a name, lower-case and without accents, to compare two spellings of one name. */
export function nameTokens(name: string): string[] {
  return stripHonorifics(name)
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[\s,]+/)
    .map((w) => w.replace(/[.]$/, ''))
    .filter(Boolean)
}

/**
 * True when `fuller` names the same person as `short` with more words: "Sergio Ortega Vidal"
 * for "Sergio Ortega", "Eva Janssen-Oudshoorn" for "Eva Janssen". Every word of the short form
 * must start a word of the fuller one, in order.
 */
export function isFullerName(fuller: string, short: string): boolean {
  const f = nameTokens(fuller).flatMap((w) => [w, ...w.split('-')])
  const s = nameTokens(short)
  if (s.length === 0 || (nameTokens(fuller).length <= s.length && fuller.length <= short.length)) return false
  let at = 0
  for (const word of s) {
    const found = f.findIndex((w, i) => i >= at && (w === word || w.startsWith(word)))
    if (found < 0) return false
    at = found + 1
  }
  return true
}

/**
 * Reads a name that starts at `text[start]`: capitalised words (particles allowed inside),
 * stopping at the first word that is not part of a name. Linear in the words read; at most six.
 */
export function readNameAt(text: string, start: number, options: NameOptions = {}): string | null {
  // Two-word titles first: "de heer Maarten de Vries-Bakker", "de mevrouw …".
  const raw = text.slice(start, start + 120)
  const span = raw.replace(/^\s*(?:de heer|de mevrouw|la se[ñn]ora|el se[ñn]or)\s+/i, '')
  const words: string[] = []
  const re = /[^\s,;:()"“”«»<>]+/gu
  let last = 0
  for (let m; (m = re.exec(span)) && words.length < 8;) {
    const gap = span.slice(last, m.index)
    if (words.length > 0 && /[,;:()"“”«»<>\n]/.test(gap)) break
    last = m.index + m[0].length
    let w = m[0]
    const endsSentence = /[.!?]$/.test(w) && !/^\p{Lu}\.$/u.test(w) && !HONORIFIC.test(w)
    if (endsSentence) w = w.slice(0, -1)
    const lowerW = w.toLowerCase()
    if (words.length === 0 && HONORIFIC.test(w)) {
      words.push(w)
      continue
    }
    if (words.length > 0 && NAME_STOP.has(lowerW) && !PARTICLES.has(lowerW)) break
    const fits =
      NAME_WORD.test(w) ||
      /^\p{Lu}\.?$/u.test(w) ||
      OTHER_SCRIPT_WORD.test(w) ||
      (words.length > 0 && PARTICLES.has(lowerW)) ||
      (options.allowCompany && words.length > 0 && COMPANY_WORD.test(w))
    if (!fits) break
    words.push(w)
    if (endsSentence) break
  }
  // A trailing particle ("… de") belongs to a word we did not take.
  while (words.length && PARTICLES.has(words[words.length - 1]!.toLowerCase())) words.pop()
  // "Pana Jana Kowalskiego", "paní Jany Dvořákové": the honorific tells a declined name.
  const form = words.length > 1 ? declinedFormOf(words[0]!) : null
  const name = form ? toNominative(stripHonorifics(words.join(' ')), form) : stripHonorifics(words.join(' '))
  return name && looksLikePersonName(name, options) ? name : null
}
