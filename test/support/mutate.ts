/**
 * Seeded mutation of email messages for fuzzing intake (the fault suite). Every mutator is
 * a damage real mail shows, or that an attacker can send: truncation, bit flips, duplicated
 * headers, broken MIME boundaries, huge headers, NUL bytes, charsets and encodings that lie,
 * mangled line endings, deep nesting, and splices of two messages. The same seed gives the same
 * cases, so a failure names a seed and a case number that reproduce it.
 */

export type Rng = {
  next: () => number
  int: (maxExclusive: number) => number
  pick: <T>(items: readonly T[]) => T
  chance: (p: number) => boolean
}

/** mulberry32: small, fast, and good enough to spread mutations. */
export function rng(seed: number): Rng {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (max: number) => Math.floor(next() * max)
  return { next, int, pick: (items) => items[int(items.length)]!, chance: (p) => next() < p }
}

// One character per byte, so string offsets are byte offsets and every byte survives the trip.
const toText = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1')
const toBytes = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'))

function headerEnd(text: string): number {
  const m = /\r?\n\r?\n/.exec(text)
  return m ? m.index : text.length
}

function headerLines(text: string): { start: number; end: number }[] {
  const lines: { start: number; end: number }[] = []
  const end = headerEnd(text)
  let at = 0
  while (at < end) {
    let next = text.indexOf('\n', at)
    if (next === -1 || next > end) next = end
    // A header includes its folded continuation lines.
    while (next < end && /[ \t]/.test(text[next + 1] ?? '')) {
      const more = text.indexOf('\n', next + 1)
      next = more === -1 || more > end ? end : more
    }
    lines.push({ start: at, end: Math.min(next + 1, text.length) })
    at = next + 1
  }
  return lines
}

const boundariesOf = (text: string) => [...text.matchAll(/boundary\s*=\s*"?([^"\r\n;]+)"?/gi)].map((m) => m[1]!.trim())

/** Random letters and digits: unlike a repeated character, they do not compress. */
const noise = (r: Rng, length: number) => Array.from({ length }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[r.int(36)]).join('')

const charsets = [
  'utf-16',
  'utf-7',
  'iso-2022-jp',
  'shift_jis',
  'x-unknown-charset',
  'ks_c_5601-1987',
  'utf-32be',
  'gb18030',
  '',
  '"',
  'utf-8; charset=koi8-r',
  'us-ascii',
]
const encodings = ['base64', 'quoted-printable', 'x-uuencode', 'binary', '7bit', 'bogus', 'BASE64 ']
const hostileHeaders = [
  'From',
  'To',
  'Cc',
  'Subject',
  'Message-ID',
  'In-Reply-To',
  'References',
  'Content-Type',
  'Date',
  'Reply-To',
  'MIME-Version',
  'Content-Transfer-Encoding',
]

type Mutator = (text: string, r: Rng, other: string) => string

export const mutators: Record<string, Mutator> = {
  truncate: (t, r) => t.slice(0, Math.max(1, r.int(t.length))),
  truncateInHeaders: (t, r) => t.slice(0, Math.max(1, r.int(headerEnd(t) + 1))),
  bitFlips: (t, r) => {
    const bytes = toBytes(t)
    for (let i = 0, n = 1 + r.int(32); i < n; i++) bytes[r.int(bytes.length)]! ^= 1 << r.int(8)
    return toText(bytes)
  },
  randomBytes: (t, r) => {
    const bytes = toBytes(t)
    const at = r.int(bytes.length)
    for (let i = at; i < Math.min(bytes.length, at + 1 + r.int(256)); i++) bytes[i] = r.int(256)
    return toText(bytes)
  },
  duplicateHeader: (t, r) => {
    const lines = headerLines(t)
    if (!lines.length) return t
    const line = r.pick(lines)
    const copy = t.slice(line.start, line.end)
    return t.slice(0, line.end) + copy.repeat(1 + r.int(r.chance(0.2) ? 500 : 4)) + t.slice(line.end)
  },
  conflictingHeaders: (t, r) => {
    const name = r.pick(hostileHeaders)
    const values = [
      `<${r.int(1e9)}@dup.test>`,
      'multipart/mixed; boundary="x"',
      'text/html; charset=utf-16',
      '"Eve" <eve@evil.test>',
      '',
      '=?utf-8?B?PHNjcmlwdD4=?=',
      'escalations@example.com',
    ]
    const extra = Array.from({ length: 1 + r.int(3) }, () => `${name}: ${r.pick(values)}\r\n`).join('')
    return r.chance(0.5) ? extra + t : t.slice(0, headerEnd(t)) + '\r\n' + extra.trimEnd() + t.slice(headerEnd(t))
  },
  dropHeader: (t, r) => {
    const lines = headerLines(t)
    if (!lines.length) return t
    const line = r.pick(lines)
    return t.slice(0, line.start) + t.slice(line.end)
  },
  damageBoundary: (t, r) => {
    const boundaries = boundariesOf(t)
    if (!boundaries.length) return t.replace(/^(content-type:\s*)[^\r\n]*/im, '$1multipart/mixed; boundary="never-used"')
    const b = r.pick(boundaries)
    const escaped = b.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    switch (r.int(6)) {
      case 0:
        return t.replace(new RegExp(`--${escaped}--`, 'g'), '') // no closing delimiter
      case 1:
        return t.replace(new RegExp(`boundary\\s*=\\s*"?${escaped}"?`, 'i'), 'boundary=""') // empty boundary
      case 2:
        return t.replace(new RegExp(`boundary\\s*=\\s*"?${escaped}"?`, 'i'), `boundary="${b}x"`) // declared one never used
      case 3:
        return t.replaceAll(`--${b}`, r.chance(0.5) ? `--${b.slice(0, -1)}` : `-${b}`) // delimiters that no longer match
      case 4:
        return t.replace(new RegExp(`(\\r?\\n--${escaped})`), '$1$1$1') // repeated delimiter, empty parts
      default:
        return t.replace(
          new RegExp(`\\r?\\n--${escaped}\\r?\\n`),
          `\r\n--${b}\r\n--${b}\r\nContent-Type: multipart/mixed; boundary="${b}"\r\n\r\n`,
        ) // a part that redeclares its parent's boundary
    }
  },
  hugeHeader: (t, r) => {
    const size = r.chance(0.1) ? 1024 * 1024 : r.pick([1024, 8 * 1024, 64 * 1024])
    const name = r.pick(['Subject', 'X-Long', 'References', 'To', 'From'])
    const unit = name === 'References' ? '<a@b.test> ' : name === 'To' ? 'a@b.test, ' : 'A'
    const value = r.chance(0.5) ? unit.repeat(size / unit.length) : (unit.repeat(70) + '\r\n ').repeat(Math.ceil(size / 73))
    return `${name}: ${value}\r\n${t}`
  },
  manyHeaders: (t, r) => Array.from({ length: 1000 + r.int(r.chance(0.1) ? 30_000 : 4000) }, (_, i) => `X-H${i}: ${i}\r\n`).join('') + t,
  nulBytes: (t, r) => {
    const inHeaders = r.chance(0.5)
    const at = inHeaders ? r.int(headerEnd(t) + 1) : headerEnd(t) + r.int(Math.max(1, t.length - headerEnd(t)))
    return t.slice(0, at) + '\0'.repeat(1 + r.int(16)) + t.slice(at)
  },
  charsetLie: (t, r) => {
    const charset = r.pick(charsets)
    if (/charset\s*=/i.test(t)) return t.replace(/charset\s*=\s*"?[^";\r\n]*"?/gi, () => `charset=${charset}`)
    return t.replace(/^(content-type:\s*text\/[a-z]+)/im, `$1; charset=${charset}`)
  },
  encodedWordLie: (t, r) => {
    const word = `=?${r.pick(charsets)}?${r.pick(['B', 'Q', 'X'])}?${r.pick(['PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==', '=E9=E8=00=FF', '////', '', '=?', 'A'.repeat(5000)])}?=`
    return t.replace(/^(subject|from):([^\r\n]*)/im, (_, name: string, value: string) => `${name}:${value} ${word}`)
  },
  transferEncodingLie: (t, r) => {
    const cte = r.pick(encodings)
    if (/content-transfer-encoding:/i.test(t)) return t.replace(/content-transfer-encoding:[^\r\n]*/gi, `Content-Transfer-Encoding: ${cte}`)
    return t.slice(0, headerEnd(t)) + `\r\nContent-Transfer-Encoding: ${cte}` + t.slice(headerEnd(t))
  },
  lineEndings: (t, r) =>
    r.pick([
      (s: string) => s.replace(/\r\n/g, '\n'),
      (s: string) => s.replace(/\r?\n/g, '\r'),
      (s: string) => s.replace(/\r?\n/g, '\r\r\n'),
      (s: string) => s.replace(/\n/g, () => (r.chance(0.5) ? '\r\n' : '\n')),
      (s: string) => s.replace(/\r?\n(?=[ \t])/g, ''), // unfolded continuation lines glued on
    ])(t),
  noBlankLine: (t) => t.replace(/\r?\n\r?\n/, '\r\n'),
  nestInMessage: (t, r) => {
    let out = t
    for (let i = 0, depth = 1 + r.int(r.chance(0.2) ? 120 : 6); i < depth; i++) {
      out =
        `From: wrapper${i}@fwd.test\r\nTo: escalations@example.com\r\nSubject: Fwd ${i}\r\nMIME-Version: 1.0\r\n` +
        `Content-Type: multipart/mixed; boundary="n${i}"\r\n\r\n--n${i}\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n` +
        `--n${i}\r\nContent-Type: message/rfc822\r\n\r\n${out}\r\n--n${i}--\r\n`
    }
    return out
  },
  nestMultipart: (t, r) => {
    const depth = 10 + r.int(200)
    let open = ''
    let close = ''
    for (let i = 0; i < depth; i++) {
      open += `Content-Type: multipart/mixed; boundary="m${i}"\r\n\r\n--m${i}\r\n`
      close = `\r\n--m${i}--\r\n` + close
    }
    return (
      t.slice(0, headerEnd(t)).replace(/^content-type:[^\r\n]*(\r?\n[ \t][^\r\n]*)*\r?\n?/gim, '') +
      '\r\nMIME-Version: 1.0\r\n' +
      open +
      'Content-Type: text/plain\r\n\r\nbottom' +
      close
    )
  },
  manyParts: (t, r) => {
    const parts = 50 + r.int(1200)
    const body = Array.from({ length: parts }, (_, i) => `--p\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('') + '--p--\r\n'
    return (
      t.slice(0, headerEnd(t)).replace(/^content-type:[^\r\n]*(\r?\n[ \t][^\r\n]*)*\r?\n?/gim, '') +
      '\r\nContent-Type: multipart/mixed; boundary="p"\r\n\r\n' +
      body
    )
  },
  splice: (t, r, other) => {
    const cut = r.int(t.length)
    const from = r.int(other.length)
    return t.slice(0, cut) + other.slice(from, from + r.int(4096)) + t.slice(cut)
  },
  hostileAddresses: (t, r) => {
    const values = [
      '"<script>alert(1)</script>" <a@b.test>',
      '@@@',
      '<>',
      '"unterminated <x@y.test>',
      '=?utf-8?q?=00?= <n@u.test>',
      'a@b.test'.repeat(200),
      '"\\"\\\\" <q@q.test>',
      'group: a@b.test, c@d.test;',
      ':;',
      '(comment (nested (deeply' + ')'.repeat(2) + ' x@y.test',
      "x' or '1'='1@evil.test",
      'Robert"); DROP TABLE cases;--@evil.test',
      `${noise(r, 500 + r.int(5000))}@long.test`,
    ]
    return t.replace(/^(from|to|cc|reply-to):[^\r\n]*/gim, (_, name: string) => `${name}: ${r.pick(values)}`)
  },
  hostileIds: (t, r) => {
    const ids = [
      '',
      '<>',
      '<<<>>>',
      `<${'x'.repeat(20_000)}@y>`,
      `<${noise(r, 1000 + r.int(9000))}@long.test>`,
      "<'; drop table messages; --@x>",
      '<a@b> <a@b> <a@b>',
      '\u0000',
      '<%00@x>',
      `<${r.int(1e9)}@mutant.test>`,
    ]
    const line = `Message-ID: ${r.pick(ids)}\r\nIn-Reply-To: ${r.pick(ids)}\r\nReferences: ${r.pick(ids)}\r\n`
    return line + t.replace(/^(message-id|in-reply-to|references):[^\r\n]*(\r?\n[ \t][^\r\n]*)*\r?\n/gim, '')
  },
}

export type Mutant = { bytes: Uint8Array; base: string; ops: string[] }

/**
 * `count` mutants of the given messages: each picks a base message and applies one to three
 * mutators. Cases are independent of each other (case i is the same whatever count is).
 */
export function* mutants(seed: number, corpus: { name: string; bytes: Uint8Array }[], count: number): Generator<Mutant> {
  const names = Object.keys(mutators)
  for (let i = 0; i < count; i++) {
    const r = rng(seed * 1_000_003 + i)
    const base = r.pick(corpus)
    const other = r.pick(corpus)
    let text = toText(base.bytes)
    const ops: string[] = []
    // Most cases get a Message-ID of their own, so they go past dedupe into threading and cases.
    if (r.chance(0.8)) {
      const id = `Message-ID: <fuzz-${seed}-${i}@fuzz.test>\r\n`
      text = /^message-id:/im.test(text.slice(0, headerEnd(text))) ? text.replace(/^message-id:[^\r\n]*/im, id.trimEnd()) : id + text
    }
    for (let n = 0, times = 1 + r.int(3); n < times; n++) {
      const name = r.pick(names)
      text = mutators[name]!(text, r, toText(other.bytes))
      ops.push(name)
    }
    yield { bytes: toBytes(text), base: base.name, ops }
  }
}
