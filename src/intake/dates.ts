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
  let year: number | null = null
  let month: number | null = null
  let day: number | null = null
  let hour: number | null = null
  let minute: number | null = null
  let offset: number | null = null
  let meridiem: 'am' | 'pm' | null = null
  const numbers: { value: number; index: number }[] = []
  let monthIndex = -1
  for (const [index, raw] of tokens.entries()) {
    const t = raw.replace(/\.$/, '')
    if (/^\d{1,4}[./-]\d{1,2}[./-]\d{2,4}$/.test(t)) {
      const parts = t.split(/[./-]/).map(Number)
      const numeric = numericDate(parts as [number, number, number], t.includes('/'), /\b[ap]\.?m\b/.test(text))
      if (numeric) ({ year, month, day } = numeric)
      continue
    }
    if (/^\d{1,2}:\d{2}(?::\d{2})?$/.test(t) && hour === null) {
      const [h, m] = t.split(':').map(Number) as [number, number]
      hour = h
      minute = m
      continue
    }
    if (/^[+-]\d{2}:?\d{2}$/.test(t)) {
      const sign = t.startsWith('-') ? -1 : 1
      const digits = t.replace(/[^\d]/g, '')
      offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)))
      continue
    }
    const utcOffset = /^(?:utc|gmt)([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(t)
    if (utcOffset) {
      offset = (utcOffset[1] === '-' ? -1 : 1) * (Number(utcOffset[2]) * 60 + Number(utcOffset[3] ?? 0))
      continue
    }
    if (t === 'am' || t === 'a.m' || t === 'pm' || t === 'p.m') {
      meridiem = t.startsWith('a') ? 'am' : 'pm'
      continue
    }
    if (t in ZONES && offset === null && hour !== null) {
      offset = ZONES[t]!
      continue
    }
    // "mar" is March, and also Tuesday in Spanish, French and Italian ("mar, 21 oct 2026").
    if (t in MONTHS && (month === null || (tokens[monthIndex]?.replace(/\.$/, '') === 'mar' && t !== 'mar'))) {
      month = MONTHS[t]!
      monthIndex = index
      continue
    }
    if (/^\d+$/.test(t)) {
      const value = Number(t)
      if (t.length === 4 && value >= 1970 && value <= 2100) year = value
      else if (t.length <= 2) numbers.push({ value, index })
    }
  }
  if (day === null && monthIndex >= 0) {
    // The day sits next to the month name: "Sep 23", "23 septembre", "12. Oktober".
    const near = numbers
      .filter((n) => n.value >= 1 && n.value <= 31)
      .sort((a, b) => Math.abs(a.index - monthIndex) - Math.abs(b.index - monthIndex))
    day = near[0]?.value ?? null
  }
  if (year === null || month === null || day === null || hour === null || minute === null) return null
  if (meridiem === 'pm' && hour < 12) hour += 12
  if (meridiem === 'am' && hour === 12) hour = 0
  if (hour > 23 || minute > 59 || day > 31) return null
  const wall = `${year}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}`
  const instant =
    offset === null ? null : new Date(Date.UTC(year, month - 1, day, hour, minute) - offset * 60_000).toISOString().slice(0, 16)
  return { wall, instant }
}

/** 05.09.2026 (day first), 2026-09-05, 09/05/2026 (month first only beside AM/PM, as US clients write). */
function numericDate([a, b, c]: [number, number, number], slashed: boolean, twelveHour: boolean) {
  if (a > 31) return { year: a, month: b, day: c }
  const year = c < 100 ? 2000 + c : c
  if (slashed && (twelveHour || b > 12) && a <= 12) return { year, month: a, day: b }
  return b <= 12 ? { year, month: b, day: a } : null
}

const pad = (n: number) => String(n).padStart(2, '0')
