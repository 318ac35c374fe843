// What a mail client writes above a message it forwards or quotes, where email-forward-parser
// does not read it: a quoted header block (From/De/Von…, Date/Envoyé…, Subject/Objet… in the
// languages the desk reads), its mailboxes, and the Fwd:/Re: prefixes of a subject.
import type { Address } from './parse.ts'

type Field = 'from' | 'date' | 'to' | 'cc' | 'subject'
const LABELS: Record<string, Field> = {}
for (const [field, words] of Object.entries({
  from: 'from|de|von|da|van|od|fra|från|от|від|lähettäjä|feladó|šalje|kimden|de la|expéditeur|remitente|afzender|nadawca|发件人|差出人|送信者|寄件者|보낸 사람|보낸사람|από|подател|saatja|sūtītājs|siuntėjas|pošiljatelj|pošiljatelj|odesílatel|odosielateľ|gönderen',
  date: 'date|sent|envoyé|envoyé le|datum|gesendet|enviado|enviado el|fecha|data|inviato|verzonden|wysłano|skickat|sendt|отправлено|відправлено|gönderilen|lähetetty|elküldve|trimis|odesláno|odoslané|日付|发送时间|送信日時|日時|日期|寄件日期|发送日期|날짜|보낸 날짜|ημερομηνία|στάλθηκε|изпратено|дата|saadetud|nosūtīts|išsiųsta|poslano|dátum|tarih',
  to: 'to|à|a|an|para|aan|til|till|komu|do|кому|címzett|vastaanottaja|kime|către|prima|宛先|收件人|收件者|받는 사람|받는사람|προς|до|saaja|adresāts|gavėjas|prejemnik|příjemce|adresát|alıcı',
  cc: 'cc|kopie|kopio|másolat|kopi|dw|копия|kópia|kopia|копія|cci|bcc|副本|抄送|참조|κοιν',
  subject:
    'subject|objet|sujet|betreff|asunto|oggetto|onderwerp|assunto|temat|předmět|predmet|emne|ämne|aihe|tárgy|тема|konu|naslov|subiectul|件名|主题|主旨|제목|θέμα|относно|teema|tēma|tema|tárgy',
} as Record<Field, string>)) {
  for (const w of words.split('|')) LABELS[w] = field as Field
}
const HEADER_LINE = /^[ \t]*(?:>[ \t]*)*\*{0,2}([^\s:*][^:*\n]{0,20}?)\*{0,2}[ \t]*[:：][ \t]*\*{0,2}[ \t]*(.*)$/

type HeaderBlock = {
  start: number
  from: Address
  to: Address[]
  cc: Address[]
  subject: string | null
  date: string | null
  body: string
  note: string
}

/** The first run of quoted header lines (From/De/Von…, Date/Envoyé…, Subject/Objet…), empty values allowed. */
export function findHeaderBlock(text: string): HeaderBlock | null {
  const lines = text.split('\n')
  let offset = 0
  let i = 0
  while (i < lines.length) {
    const runStart = offset
    const fields: Partial<Record<Field, string>> = {}
    let j = i
    let runEnd = offset
    for (; j < lines.length; j++) {
      const m = HEADER_LINE.exec(lines[j]!)
      const field = m ? LABELS[m[1]!.trim().toLowerCase()] : undefined
      if (!m || !field || fields[field] !== undefined) break
      fields[field] = m[2]!.trim()
      runEnd += lines[j]!.length + 1
    }
    const from = fields.from ? parseMailbox(fields.from) : null
    if (j - i >= 2 && from && (fields.subject !== undefined || fields.date !== undefined)) {
      return {
        start: runStart,
        from,
        to: mailboxList(fields.to ?? ''),
        cc: mailboxList(fields.cc ?? ''),
        subject: fields.subject ?? null,
        date: fields.date || null,
        body: text
          .slice(runEnd)
          .replace(/^\s*\n/, '')
          .trim(),
        note: stripTrailingSeparators(text.slice(0, runStart)),
      }
    }
    const step = Math.max(j, i + 1)
    for (let k = i; k < step; k++) offset += lines[k]!.length + 1
    i = step
  }
  return null
}

const FORWARD_MARKER =
  /^[>\s]*(?:[-_=*]{2,}\s*)?(?:begin forwarded message|forwarded message|original message|message transféré|début du message|weitergeleitete nachricht|mensaje reenviado|messaggio inoltrato|doorgestuurd bericht)\b/i

/** The forwarder's own words: the text above a header block, without the separator lines. */
function stripTrailingSeparators(note: string): string {
  const lines = note.trimEnd().split('\n')
  const isSeparator = (line: string) => /^\s*[-_=*]{3,}\s*$/.test(line) || (line.length < 80 && FORWARD_MARKER.test(line))
  while (lines.length > 0 && isSeparator(lines[lines.length - 1]!)) lines.pop()
  return lines.join('\n').trim()
}

/** "Name" <a@b>, Name <a@b<mailto:a@b>>, Name [mailto:a@b], a@b, or a bare display name. */
function parseMailbox(value: string): Address | null {
  const v = value
    .replace(/<mailto:[^>]*>/gi, '')
    .replace(/\[mailto:([^\]]*)\]/gi, '<$1>')
    .trim()
  const angle = /^(.*?)\s*[<[]\s*([^\s<>[\]]+@[^\s<>[\]]+?)\s*[>\]]/.exec(v)
  if (angle) return { email: angle[2]!, name: unquote(angle[1]!) }
  const bare = /^([^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)(?:\s|$)/.exec(v)
  if (bare) return { email: bare[1]!, name: '' }
  const name = unquote(v)
  return name ? { email: '', name } : null
}

/** The addresses of a quoted To/Cc line ("A <a@x>; B <b@y>", "a@x, b@y"), at most twenty. */
function mailboxList(value: string): Address[] {
  const out: Address[] = []
  for (const m of value
    .slice(0, 4000)
    .matchAll(/([^<>;,]{0,120}?)\s*[<[]\s*(?:mailto:)?([^\s<>[\]@]+@[^\s<>[\]]+?)\s*[>\]]|([^\s<>;,"]+@[^\s<>;,"]+)/g)) {
    const email = (m[2] ?? m[3] ?? '').replace(/^mailto:/i, '')
    if (email) out.push({ email, name: unquote(m[1] ?? '') })
    if (out.length >= 20) break
  }
  return out
}

const OPENING_QUOTES = new Set(['"', "'", '“', '*'])
const CLOSING_QUOTES = new Set(['"', "'", '”', '*'])

/** Without a regular expression: `["']+$` retries at every quote of a long run, quadratically. */
export function unquote(s: string): string {
  const t = s.trim()
  let start = 0
  let end = t.length
  while (start < end && OPENING_QUOTES.has(t[start]!)) start++
  while (end > start && CLOSING_QUOTES.has(t[end - 1]!)) end--
  return t.slice(start, end).trim()
}

const FORWARD_PREFIXES = new Set([
  'fwd',
  'fw',
  'tr',
  'wg',
  'rv',
  'vs',
  'enc',
  'i',
  'pd',
  'vb',
  'vl',
  'doorst',
  'videresend',
  'i̇lt',
  'ilt',
  'redir',
  'redir.',
  'fwd.',
  'továbbítás',
  'přeposlat',
])
const REPLY_PREFIXES = new Set(['re', 'aw', 'sv', 'antw', 'antwort', 'ref', 'rif', 'odp', 'vá', 'ynt', 'res', 'r', 'réf', 'atb'])

function subjectPrefixes(subject: string): string[] {
  const out: string[] = []
  let rest = subject
  for (let m; (m = /^\s*(?:\[[^\]]{1,30}\]|([\p{L}.]{1,12})(?:\[\d+\])?\s*[:：])/u.exec(rest));) {
    if (m[1]) out.push(m[1].toLowerCase())
    rest = rest.slice(m[0].length)
  }
  return out
}

export function forwardSubject(subject: string): boolean {
  return subjectPrefixes(subject).some((p) => FORWARD_PREFIXES.has(p))
}

export function replySubject(subject: string): boolean {
  return subjectPrefixes(subject).some((p) => REPLY_PREFIXES.has(p))
}

export function stripForwardPrefixes(subject: string): string {
  let s = subject.trim()
  for (let m; (m = /^(?:\[[^\]]{1,30}\]\s*)?([\p{L}.]{1,12})\s*[:：]\s*/u.exec(s)) && FORWARD_PREFIXES.has(m[1]!.toLowerCase());) {
    s = s.slice(m[0].length)
  }
  return s
}

/** A forward with nothing typed above it: the body opens with a forward separator line. */
export function startsWithForwardMarker(body: string): boolean {
  return FORWARD_MARKER.test(body.trimStart().split('\n', 1)[0] ?? '')
}
