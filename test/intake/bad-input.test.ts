import { describe, expect, it } from 'vitest'
import { analyzeMessage } from '../../src/intake/analyze.ts'
import { defaultLimits, parseMime } from '../../src/intake/parse.ts'
import { fixturesDir, org, readBytes } from './mail-helpers.ts'

const encode = (s: string) => new TextEncoder().encode(s)

async function timed<T>(work: Promise<T>): Promise<[T, number]> {
  const started = performance.now()
  const result = await work
  return [result, performance.now() - started]
}

function expectRefused(result: Awaited<ReturnType<typeof analyzeMessage>>, reason: RegExp) {
  expect(result.ok).toBe(false)
  if (!result.ok) {
    expect(result.reason).toMatch(reason)
    expect(result.reason).not.toContain('\n')
  }
}

describe('hostile and broken input', () => {
  it('refuses empty bytes', async () => {
    expectRefused(await analyzeMessage(new Uint8Array(), org), /^the message is empty$/)
  })

  it('refuses a PNG', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1])
    expectRefused(await analyzeMessage(png, org), /not an email message/)
  })

  it('refuses random binary', async () => {
    const noise = Uint8Array.from({ length: 65_536 }, (_, i) => (i * 7919 + (i >> 3)) % 256)
    expectRefused(await analyzeMessage(noise, org), /not an email message/)
  })

  it('reads a message whose body holds raw binary bytes, since only the headers must be text', async () => {
    const head = encode(
      'From: Scanner <scanner@example.org>\r\nSubject: scan\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n',
    )
    const raw = new Uint8Array(head.length + 256)
    raw.set(head)
    raw.set(
      Uint8Array.from({ length: 256 }, (_, i) => i),
      head.length,
    )
    const result = await analyzeMessage(raw, org)
    if (!result.ok) throw new Error(result.reason)
    expect(result.summary.customer.email).toBe('scanner@example.org')
  })

  it('refuses a 30 MB message by its size, before parsing it', async () => {
    const head = encode('From: big@example.org\r\nSubject: large\r\n\r\n')
    const raw = new Uint8Array(30 * 1024 * 1024)
    raw.set(head)
    raw.fill(0x61, head.length)
    const [result, ms] = await timed(analyzeMessage(raw, org))
    expectRefused(result, /^message is 30\.0 MB, over the 25 MB limit$/)
    expect(ms).toBeLessThan(1000)
  })

  it('refuses a 1,000-part multipart message by its part count', async () => {
    const parts = Array.from({ length: 1000 }, (_, i) => `--b1\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('')
    const raw = encode(
      `From: a@example.org\r\nSubject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n${parts}--b1--\r\n`,
    )
    const [result, ms] = await timed(analyzeMessage(raw, org))
    expectRefused(result, /^message has 1000 MIME parts, over the 500 part limit$/)
    expect(ms).toBeLessThan(defaultLimits.parseTimeoutMs)
  })

  it('refuses millions of tiny lines, which would take minutes to parse though under the size limit', async () => {
    const raw = encode(`From: a@example.org\r\nSubject: lines\r\n\r\n${'a\n'.repeat(3_000_000)}`)
    const [result, ms] = await timed(analyzeMessage(raw, org))
    expectRefused(result, /^message has more than 250000 text lines, too many to parse within 5000 ms$/)
    expect(ms).toBeLessThan(1000)
  })

  it('still reads a large base64 attachment, whose many lines are cheap to decode', async () => {
    const line = 'QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\r\n'
    const raw = encode(
      'From: Big Attachment <big@example.org>\r\nSubject: scan\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="m"\r\n\r\n' +
        '--m\r\nContent-Type: text/plain\r\n\r\nsee the scan\r\n--m\r\nContent-Type: application/pdf; name="scan.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
        line.repeat(300_000) +
        '--m--\r\n',
    )
    const [result, ms] = await timed(analyzeMessage(raw, org))
    if (!result.ok) throw new Error(result.reason)
    expect(result.mail.attachments).toEqual([{ filename: 'scan.pdf', mimeType: 'application/pdf', size: 300_000 * 57, isMessage: false }])
    expect(ms).toBeLessThan(defaultLimits.parseTimeoutMs)
  })

  it('stops unwrapping attached messages at the depth limit', async () => {
    let raw = 'From: Deepest <deepest@example.org>\r\nSubject: level 12\r\nMessage-ID: <l12@example.org>\r\n\r\nthe original\r\n'
    for (let level = 11; level >= 0; level--) {
      const b = `b${level}`
      raw = `From: Forwarder ${level} <f${level}@example.org>\r\nSubject: Fwd: level ${level}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${b}"\r\n\r\n--${b}\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--${b}\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n${raw}\r\n--${b}--\r\n`
    }
    const result = await analyzeMessage(encode(raw), org, { ...defaultLimits, maxDepth: 3 })
    if (!result.ok) throw new Error(result.reason)
    expect(result.unwrapped.depth).toBe(3)
    expect(result.summary.customer.email).toBe('f3@example.org')
    expect(result.summary.forwardedBy).toEqual(['f0@example.org', 'f1@example.org', 'f2@example.org'])
  })

  it('refuses a message whose parse outlasts the time limit, with the limit in the reason', async () => {
    const line = 'QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\r\n'
    const raw = encode(
      `From: a@example.org\r\nSubject: slow\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n${line.repeat(100_000)}`,
    )
    expectRefused(await analyzeMessage(raw, org, { ...defaultLimits, parseTimeoutMs: 20 }), /^parsing took longer than 20 ms$/)
  })

  it.each(['invalid-charset.eml', 'ks_c_5601-1987.eml', 'japanese_iso_2022.eml', 'japanese_shift_jis.eml'])(
    'reads %s (unknown or legacy charset) without throwing',
    async (name) => {
      const [result, ms] = await timed(analyzeMessage(readBytes(`${fixturesDir}corpus/${name}`), org))
      if (!result.ok) throw new Error(result.reason)
      expect(result.mail.text.trim().length).toBeGreaterThan(0)
      expect(result.summary.customer.email).toMatch(/@/)
      expect(ms).toBeLessThan(defaultLimits.parseTimeoutMs)
    },
  )

  it('decodes the invalid-charset message’s body as readable text', async () => {
    const result = await parseMime(readBytes(`${fixturesDir}corpus/invalid-charset.eml`))
    if (!result.ok) throw new Error(result.reason)
    expect(result.mail.text).toContain('Slow but steady wins the race.')
  })
})
