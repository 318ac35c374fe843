import { describe, expect, it } from 'vitest'
import { originalKey } from '../../src/intake/threading.ts'
import { analyzeMessage } from '../../src/intake/analyze.ts'
import { fjellstad, letter } from './read-mail.ts'

// One customer mail reaches the desk several ways: sent with the desk in Cc, forwarded by the
// CEO from her phone, by the COO from Outlook, by an assistant from Gmail. Each client writes the
// quoted header differently; all copies must find one case.

const original = {
  from: 'Ingrid Moe <ingrid.moe@gmail.example>',
  subject: 'Ski rental pass cancelled',
  body: 'Dear Ms Berg,\nmy son’s ski rental pass was cancelled without notice and the store will not hand over his skis for Saturday’s lessons.\nIngrid Moe',
}

const direct = letter({
  ...original,
  to: 'anna.berg@fjellstad.example',
  headers: ['Cc: desk@fjellstad.example'],
  date: 'Wed, 18 Nov 2026 06:50:44 -0800',
})

const appleForward = letter({
  from: 'Anna Berg <anna.berg@fjellstad.example>',
  subject: `Fwd: ${original.subject}`,
  body: `Is this handled?\nSent from my iPhone\n\nBegin forwarded message:\n\n> From: ${original.from}\n> Date: November 18, 2026 at 6:50:44 AM PST\n> To: anna.berg@fjellstad.example\n> Subject: ${original.subject}\n>\n> ${original.body.replace(/\n/g, '\n> ')}`,
})

const outlookForward = letter({
  from: 'Henrik Dahl <h.dahl@fjellstad.example>',
  subject: `FW: ${original.subject}`,
  date: 'Wed, 18 Nov 2026 16:02:48 +0000',
  body: `Forwarding in case.\nHenrik Dahl\nChief Operating Officer\n\nFrom: ${original.from}\nSent: Wednesday, November 18, 2026 6:50 AM\nTo: Anna Berg <anna.berg@fjellstad.example>\nSubject: ${original.subject}\n\n${original.body}`,
})

const gmailForward = letter({
  from: 'Tor Vik <t.vik@fjellstad.example>',
  subject: `Fwd: ${original.subject}`,
  headers: ['In-Reply-To: <CAorig-ingrid@mail.gmail.example>', 'References: <CAorig-ingrid@mail.gmail.example>'],
  body: `For the desk.\n\n---------- Forwarded message ---------\nFrom: ${original.from}\nDate: Wed, Nov 18, 2026 at 6:50 AM\nSubject: ${original.subject}\nTo: <anna.berg@fjellstad.example>\n\n${original.body}`,
})

async function analysed(raw: Uint8Array) {
  const a = await analyzeMessage(raw, fjellstad)
  if (!a.ok) throw new Error(a.reason)
  return a
}

describe('dedupe keys across clients', () => {
  it('the direct copy and forwards from Apple Mail, Outlook and Gmail share the key a case stores', async () => {
    const keys = await Promise.all(
      [direct, appleForward, outlookForward, gmailForward].map(async (raw) => originalKey(await analysed(raw))),
    )
    expect(new Set(keys).size).toBe(1)
    expect(keys[0]).toMatch(/^wall:/)
  })

  it('a client that kept the original’s Message-ID exposes it as a key too', async () => {
    const a = await analysed(gmailForward)
    expect(a.classification.dedupe.originalMessageId).toBe('CAorig-ingrid@mail.gmail.example')
    expect(a.classification.dedupe.keys).toContain('mid:CAorig-ingrid@mail.gmail.example')
  })

  it('a zoned quoted date also gives the instant, which the direct copy shares', async () => {
    const [d, apple] = await Promise.all([analysed(direct), analysed(appleForward)])
    const at = (keys: string[]) => keys.find((k) => k.startsWith('at:'))
    expect(at(apple.classification.dedupe.keys)).toBeDefined()
    expect(at(apple.classification.dedupe.keys)).toBe(at(d.classification.dedupe.keys))
  })

  it('another mail of the same customer, a minute later or with another subject, has another key', async () => {
    const later = letter({ ...original, date: 'Wed, 18 Nov 2026 06:51:10 -0800' })
    const other = letter({ ...original, subject: 'Ski rental pass - second mail', date: 'Wed, 18 Nov 2026 06:50:44 -0800' })
    const base = originalKey(await analysed(direct))
    expect(originalKey(await analysed(later))).not.toBe(base)
    expect(originalKey(await analysed(other))).not.toBe(base)
  })
})
