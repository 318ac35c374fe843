// Quoted dates as mail clients write them above a forwarded message, in the main European
// languages: "Wed, Sep 23, 2026 at 9:47 PM" (Gmail), "Montag, 12. Oktober 2026 21:14" (Outlook
// de), "17 septembre 2026 à 22:40:18 UTC+2" (Apple Mail fr), "lunedì 2 novembre 2026 alle ore
// 10:05:40 CET" (Yahoo it), RFC 5322 dates. A token scan over at most 160 characters: no
// backtracking, nothing unbounded.

export type QuotedDate = {
  /** The wall-clock minute as written, "2026-10-30T07:55": what two clients showing one mail share. */
  wall: string
  /** The instant, when the text gives a zone. */
  instant: string | null
}

const MONTHS: Record<string, number> = {}
for (const [month, names] of [
  [1, 'january jan januar jänner janvier janv enero ene gennaio gen januari jan janeiro styczeń stycznia januar'],
  [2, 'february feb februar feber février févr fevrier febrero febbraio februari fevereiro fev luty lutego'],
  [3, 'march mar märz maerz mrz mars marzo maart março marco mrt marzec marca'],
  [4, 'april apr avril avr abril aprile apr kwiecień kwietnia'],
  [5, 'may mai mayo maggio mag mei maio maj'],
  [6, 'june jun juni juin junio giugno giu junho czerwiec czerwca'],
  [7, 'july jul juli juillet juil julio luglio lug julho lipiec lipca'],
  [8, 'august aug août aout agosto ago augustus sierpień sierpnia augusti'],
  [9, 'september sep sept septembre septiembre settembre set setembro wrzesień września'],
  [10, 'october oct oktober okt octobre octubre ottobre ott outubro out październik października'],
  [11, 'november nov novembre noviembre novembro listopad listopada'],
  [12, 'december dec dezember dez décembre decembre diciembre dic dicembre dezembro grudzień grudnia'],
] as [number, string][]) {
  for (const n of names.split(' ')) MONTHS[n] = month
}

// Offsets in minutes. Only abbreviations that mean one thing in the mail we see.
const ZONES: Record<string, number> = {
  utc: 0,
  gmt: 0,
  z: 0,
  ut: 0,
  wet: 0,
  west: 60,
  bst: 60,
  cet: 60,
  mez: 60,
  cest: 120,
  mesz: 120,
  eet: 120,
  eest: 180,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
  akst: -540,
  akdt: -480,
  hst: -600,
}

const MAX_CHARS = 160

export function parseQuotedDate(input: string | null | undefined): QuotedDate | null {
  if (!input) return null
  const text = input.slice(0, MAX_CHARS).toLowerCase().normalize('NFC')
  const tokens =
    text.match(
      /[+-]\d{2}:?\d{2}\b|utc[+-]\d{1,2}(?::?\d{2})?|gmt[+-]\d{1,2}(?::?\d{2})?|\d{1,2}:\d{2}(?::\d{2})?|\d{1,4}[./-]\d{1,2}[./-]\d{2,4}|\d+|[ap]\.m\.|[\p{L}]+\.?/gu,
    ) ?? []
  const p: Parts = {
    year: null,
    month: null,
    day: null,
    hour: null,
    minute: null,
    offset: null,
    meridiem: null,
    numbers: [],
    monthIndex: -1,
  }
  for (const [index, raw] of tokens.entries()) readToken(p, raw.replace(/\.$/, ''), index, tokens, text)
  if (p.day === null && p.monthIndex >= 0) {
    // The day sits next to the month name: "Sep 23", "23 septembre", "12. Oktober".
    const near = p.numbers
      .filter((n) => n.value >= 1 && n.value <= 31)
      .sort((a, b) => Math.abs(a.index - p.monthIndex) - Math.abs(b.index - p.monthIndex))
    p.day = near[0]?.value ?? null
  }
  if (p.year === null || p.month === null || p.day === null || p.hour === null || p.minute === null) return null
  if (p.meridiem === 'pm' && p.hour < 12) p.hour += 12
  if (p.meridiem === 'am' && p.hour === 12) p.hour = 0
  if (p.hour > 23 || p.minute > 59 || p.day > 31) return null
  const wall = `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`
  const instant =
    p.offset === null
      ? null
      : new Date(Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - p.offset * 60_000).toISOString().slice(0, 16)
  return { wall, instant }
}

/** What the tokens read so far say; null until one says it. */
type Parts = {
  year: number | null
  month: number | null
  day: number | null
  hour: number | null
  minute: number | null
  offset: number | null
  meridiem: 'am' | 'pm' | null
  /** Short numbers and where they stand: the day is the one nearest the month's name. */
  numbers: { value: number; index: number }[]
  monthIndex: number
}

function readToken(p: Parts, t: string, index: number, tokens: string[], text: string): void {
  if (/^\d{1,4}[./-]\d{1,2}[./-]\d{2,4}$/.test(t)) {
    const parts = t.split(/[./-]/).map(Number)
    const numeric = numericDate(parts as [number, number, number], t.includes('/'), /\b[ap]\.?m\b/.test(text))
    if (numeric) ({ year: p.year, month: p.month, day: p.day } = numeric)
    return
  }
  if (/^\d{1,2}:\d{2}(?::\d{2})?$/.test(t) && p.hour === null) {
    const [h, m] = t.split(':').map(Number) as [number, number]
    p.hour = h
    p.minute = m
    return
  }
  if (/^[+-]\d{2}:?\d{2}$/.test(t)) {
    const sign = t.startsWith('-') ? -1 : 1
    const digits = t.replace(/[^\d]/g, '')
    p.offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)))
    return
  }
  const utcOffset = /^(?:utc|gmt)([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(t)
  if (utcOffset) {
    p.offset = (utcOffset[1] === '-' ? -1 : 1) * (Number(utcOffset[2]) * 60 + Number(utcOffset[3] ?? 0))
    return
  }
  if (t === 'am' || t === 'a.m' || t === 'pm' || t === 'p.m') {
    p.meridiem = t.startsWith('a') ? 'am' : 'pm'
    return
  }
  if (t in ZONES && p.offset === null && p.hour !== null) {
    p.offset = ZONES[t]!
    return
  }
  // "mar" is March, and also Tuesday in Spanish, French and Italian ("mar, 21 oct 2026").
  if (t in MONTHS && (p.month === null || (tokens[p.monthIndex]?.replace(/\.$/, '') === 'mar' && t !== 'mar'))) {
    p.month = MONTHS[t]!
    p.monthIndex = index
    return
  }
  if (/^\d+$/.test(t)) {
    const value = Number(t)
    if (t.length === 4 && value >= 1970 && value <= 2100) p.year = value
    else if (t.length <= 2) p.numbers.push({ value, index })
  }
}

/** 05.09.2026 (day first), 2026-09-05, 09/05/2026 (month first only beside AM/PM, as US clients write). */
function numericDate([a, b, c]: [number, number, number], slashed: boolean, twelveHour: boolean) {
  if (a > 31) return { year: a, month: b, day: c }
  const year = c < 100 ? 2000 + c : c
  if (slashed && (twelveHour || b > 12) && a <= 12) return { year, month: a, day: b }
  return b <= 12 ? { year, month: b, day: a } : null
}

const pad = (n: number) => String(n).padStart(2, '0')
