// Small text tools shared by the readers of a message. Every function here is linear in its
// input or works on a bounded slice of it: mail text is untrusted and can be long.

/** Lines with their whitespace tidied, quote markers ("> ") removed, blank lines dropped. */
export function plainLines(text: string, maxChars = 60_000): string[] {
  const out: string[] = []
  for (const raw of text.slice(0, maxChars).split(/\r?\n/)) {
    const line = stripQuote(raw)
      .replace(/[\s\u00a0\u200b\ufeff]+/g, ' ')
      .trim()
    if (line) out.push(line)
  }
  return out
}

function stripQuote(line: string): string {
  let i = 0
  while (i < line.length && i < 40 && (line[i] === '>' || line[i] === ' ' || line[i] === '\t')) i++
  return i > 0 && line.slice(0, i).includes('>') ? line.slice(i) : line
}

/**
 * The text with its soft line wraps joined: quote markers gone, a line that a client wrapped
 * ("…I will file a" / "complaint with the BBB") joined to the next, runs of spaces one space.
 * Short lines (headers, names, signatures) keep their line breaks, so a name never runs into
 * the next line's words.
 */
export function flat(text: string, maxChars = 60_000): string {
  const out: string[] = []
  let previous = ''
  for (const raw of text.slice(0, maxChars).split(/\r?\n/)) {
    const line = raw
      .replace(/^[ \t]*(?:>[ \t]?)+/, '')
      .replace(/[ \t\u00a0]+/g, ' ')
      .trim()
    const wrapped = previous.length >= 45 && !/[.!?:;]$/.test(previous)
    if (out.length > 0 && line && (wrapped || /^\p{Ll}/u.test(line))) out[out.length - 1] += ` ${line}`
    else out.push(line)
    previous = line
  }
  return out.join('\n')
}

/** The text without quoted reply history ("> …" lines, "On … wrote:" and "From: … Sent: …" blocks). */
export function withoutQuotedHistory(text: string, maxChars = 40_000): string {
  const lines = text.slice(0, maxChars).split(/\r?\n/)
  const start = historyStart(lines)
  return lines
    .slice(0, start)
    .filter((l) => !/^\s*>/.test(l))
    .join('\n')
}

/** The quoted reply history of a text (what withoutQuotedHistory leaves out), quote markers removed. */
export function quotedHistory(text: string, maxChars = 40_000): string {
  const lines = text.slice(0, maxChars).split(/\r?\n/)
  const start = historyStart(lines)
  return lines
    .filter((l, i) => i >= start || /^\s*>/.test(l))
    .map((l) => l.replace(/^[ \t]*(?:>[ \t]?)+/, ''))
    .join('\n')
    .trim()
}

/** The line where quoted history starts: an attribution line or an Outlook header block ("From: …" then "Sent: …"). */
function historyStart(lines: string[]): number {
  for (const [i, line] of lines.entries()) {
    const trimmed = line.trim()
    if (REPLY_HEADER.test(trimmed)) return i
    if (QUOTED_FROM.test(trimmed) && lines.slice(i + 1, i + 4).some((l) => QUOTED_DATE.test(l.trim()))) return i
  }
  return lines.length
}

// The attribution line a client writes above quoted history, in the languages of the EU/EEA:
// "On … wrote:", "Am … schrieb …:", "Le … a écrit :", "Em … escreveu:", "Den … skrev …:",
// "W dniu … napisał(a):", "Dne … napsal(a):", "… kirjoitti:", "… írta:", "… a scris:", and the
// "-----Original Message-----" separators. Lines are short: each pattern reads at most ~250 characters.
const REPLY_HEADER = new RegExp(
  [
    String.raw`^(?:on|am|le|el|il|op|em|den|d\.|w dniu|dnia|dne|dňa|pe|în data de|στις)\s.{1,160}(?:wrote|schrieb|a écrit|escribió|ha scritto|schreef|escreveu|skrev|napisał(?:a)?|napsal(?:a)?|napísal(?:a)?|a scris|kirjoitti|írta|έγραψε)(?:\s.{1,80})?\s?:$`,
    String.raw`^.{1,160}\s(?:wrote|skrev|kirjoitti|írta|napisał(?:a)?|napsal(?:a)?|escreveu|a scris)\s?:$`,
    String.raw`^-{2,}\s?(?:original message|ursprüngliche nachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht|mensagem original|ursprungligt meddelande|oprindelig meddelelse|opprinnelig melding|wiadomość oryginalna|původní zpráva|pôvodná správa|alkuperäinen viesti|eredeti üzenet|mesaj original|αρχικό μήνυμα)\s?-{2,}$`,
  ].join('|'),
  'iu',
)
const QUOTED_FROM = /^(?:from|von|de|da|van|från|fra|od|lähettäjä|feladó|от|από)\s?:\s?\S/iu
const QUOTED_DATE =
  /^(?:sent|date|gesendet|datum|envoyé|enviado|fecha|inviato|data|verzonden|skickat|sendt|wysłano|odesláno|odoslané|lähetetty|elküldve|trimis|στάλθηκε|изпратено)\s?:/iu

export const EMAIL_IN_TEXT = /[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}/g

/** Email addresses in a bounded text, in order, lower-case, without duplicates. */
export function emailsIn(text: string, maxChars = 60_000): string[] {
  const seen = new Set<string>()
  for (const m of text.slice(0, maxChars).matchAll(EMAIL_IN_TEXT)) seen.add(m[0].toLowerCase().replace(/[.]$/, ''))
  return [...seen]
}

/**
 * The signature of a note: the short lines after its last sentence, where the author signs
 * with name, title and company. A sentence that mentions someone's title ("Hélène Dubois
 * (Managing Director, Alpenglow) called me") is the note's content, not its signature.
 */
export function signatureLines(note: string, count = 12): string[] {
  const lines = plainLines(note, 20_000)
  const tail = lines.slice(Math.max(0, lines.length - count))
  let start = 0
  for (const [i, line] of tail.entries()) {
    const words = line.split(' ').length
    if (line.length > 90 || (words >= 7 && /[.!?:]$/.test(line))) start = i + 1
  }
  return tail.slice(start)
}

/** One line, cut to a length fit for a reason shown to people. */
export function excerpt(s: string, max = 80): string {
  const one = s.replace(/\s+/g, ' ').trim()
  return one.length > max ? `${one.slice(0, max - 1)}…` : one
}
