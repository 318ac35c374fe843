import { describe, expect, it } from 'vitest'
import type { DraftContext } from '../../src/drafts/context.ts'
import { diffWords, tokenize } from '../../src/drafts/diff.ts'
import { checkDraft, checkText } from '../../src/drafts/guardrails.ts'
import { renderTemplate } from '../../src/drafts/templates.ts'
import { replyRoute } from '../../src/drafts/recipient.ts'
import { systemMessage } from '../../src/drafts/instructions.ts'
import type { Source } from '../../src/cases/terms.ts'

type ContextOverrides = {
  source?: Source
  severity?: DraftContext['kase']['severity']
  customerName?: string | null
  externalRef?: string | null
  signature?: string
  revenue?: string | null
  earlier?: number
  language?: string | null
  channel?: Pick<DraftContext['kase'], 'channelKind' | 'channelName' | 'channelEmail'>
  customerEmail?: string | null
}

function context(overrides: ContextOverrides = {}): DraftContext {
  const now = new Date('2026-11-24T10:00:00Z')
  const party = {
    customerName: overrides.customerName === undefined ? 'Pat Customer' : overrides.customerName,
    customerEmail: overrides.customerEmail === undefined ? 'pat@customer.test' : overrides.customerEmail,
    channelKind: overrides.channel?.channelKind ?? null,
    channelName: overrides.channel?.channelName ?? null,
    channelEmail: overrides.channel?.channelEmail ?? null,
  }
  return {
    now,
    org: {
      name: 'Example Corp',
      timezone: 'Europe/Paris',
      settings: { ai_enabled: true, signature: overrides.signature ?? '', sender_name: '' },
    },
    kase: {
      id: '00000000-0000-4000-8000-000000000001',
      number: 1042,
      source: overrides.source ?? 'direct',
      severity: overrides.severity ?? 'SEV-2',
      caseType: 'service',
      status: 'new',
      subject: 'Fwd: My order never arrived',
      originalSubject: 'My order never arrived',
      summary: 'It never came.',
      ...party,
      language: overrides.language ?? null,
      externalRef: overrides.externalRef ?? null,
      openedAt: now,
      firstResponseAt: null,
      firstResponseDueAt: new Date('2026-11-24T11:00:00Z'),
      resolutionDueAt: new Date('2026-11-24T18:00:00Z'),
      nextUpdateAt: new Date('2026-11-24T12:00:00Z'),
      hasMessages: true,
    },
    thread: [],
    account:
      overrides.revenue === undefined
        ? null
        : { name: 'Big Co', domain: 'customer.test', plan: 'enterprise', annualRevenue: overrides.revenue, health: 'green' },
    earlierCases: Array.from({ length: overrides.earlier ?? 0 }, (_, i) => ({
      number: 900 + i,
      subject: 'Earlier',
      status: 'closed',
      openedAt: now,
    })),
    latest: null,
    replyRoute: replyRoute(party, null),
  }
}

describe('template drafts', () => {
  const sources: Source[] = ['ceo_inbox', 'bbb', 'lawyer', 'regulator', 'social', 'direct', 'form', 'csv']
  const purposes = ['reply', 'update', 'resolution'] as const

  for (const source of sources) {
    for (const purpose of purposes) {
      it(`${source} / ${purpose}: filled, signed, no placeholder, nothing risky`, () => {
        for (const ctx of [context({ source }), context({ source, customerName: null, externalRef: 'REF-77' })]) {
          const t = renderTemplate(ctx, purpose)
          expect(t.subject).toBe('Re: My order never arrived')
          expect(t.body).toContain('Example Corp')
          const risky = checkText(`${t.subject}\n${t.body}`)
            .map((f) => f.code)
            .filter((c) => c !== 'legal_mention')
          expect(risky).toEqual([])
          const flags = checkDraft(
            { to: ['pat@customer.test'], subject: t.subject, body: t.body },
            { allowedRecipients: ['pat@customer.test'], source },
          )
          expect(flags.filter((f) => f.severity === 'block')).toEqual([])
        }
      })
    }
  }

  it('the first reply is chosen by source: executive apology, legal acknowledgment, BBB, social', () => {
    expect(renderTemplate(context({ source: 'ceo_inbox' }), 'reply')).toMatchObject({
      kind: 'executive_apology',
      body: expect.stringContaining('I have read it personally'),
    })
    const lawyer = renderTemplate(context({ source: 'lawyer', externalRef: 'M-2231' }), 'reply')
    expect(lawyer.kind).toBe('legal_acknowledgment')
    expect(lawyer.body).toContain('We acknowledge receipt of your letter, reference M-2231, which we have logged as ESC-')
    expect(lawyer.body).toContain('referred to our counsel')
    expect(lawyer.body).not.toMatch(/sorry|apolog|will (update|respond by)/i)
    expect(lawyer.recoveryAction).toBeNull()
    expect(renderTemplate(context({ source: 'bbb', externalRef: 'BBB-123' }), 'reply').body).toContain('(complaint BBB-123)')
    expect(renderTemplate(context({ source: 'bbb' }), 'reply').missingFacts).toContain('The BBB complaint number')
    expect(renderTemplate(context({ source: 'social' }), 'reply').body).toContain('so we can continue privately')
  })

  it("gives the next update time in the org's time zone, and signs with the org signature", () => {
    const t = renderTemplate(context({ signature: 'Jane Doe\nChief Executive Officer' }), 'reply')
    expect(t.body).toContain('we will update you by 13:00 CET on Tuesday 24 November')
    expect(t.body.endsWith('Kind regards,\nJane Doe\nChief Executive Officer')).toBe(true)
    expect(renderTemplate(context({ severity: 'SEV-1' }), 'reply').body).toContain('We are treating this as our highest priority.')
    expect(renderTemplate(context(), 'update').body).toContain('We will update you again by 13:00 CET on Tuesday 24 November')
  })

  it('recommends recovery in proportion to impact', () => {
    expect(renderTemplate(context({ severity: 'SEV-4' }), 'reply').recoveryAction).toBe('apology')
    expect(renderTemplate(context({ severity: 'SEV-2' }), 'reply').recoveryAction).toBe('apology_credit')
    expect(renderTemplate(context({ severity: 'SEV-1' }), 'reply').recoveryAction).toBe('executive_call_credit_roadmap')
    expect(renderTemplate(context({ severity: 'SEV-1', revenue: '2500000', earlier: 2 }), 'reply').recoveryAction).toBe('in_person_gesture')
    expect(renderTemplate(context({ source: 'regulator' }), 'reply').recoveryAction).toBeNull()
  })
})

describe('word diff', () => {
  it('marks added and removed words; joining the parts gives either text back', () => {
    const before = 'Dear Pat,\n\nWe will update you by Friday.\nKind regards'
    const after = 'Dear Pat,\n\nI will personally update you by Thursday.\nKind regards'
    const parts = diffWords(before, after)
    expect(
      parts
        .filter((p) => p.kind !== 'added')
        .map((p) => p.text)
        .join(''),
    ).toBe(before)
    expect(
      parts
        .filter((p) => p.kind !== 'removed')
        .map((p) => p.text)
        .join(''),
    ).toBe(after)
    expect(parts.filter((p) => p.kind === 'removed').map((p) => p.text.trim())).toEqual(['We', 'Friday.'])
    expect(parts.filter((p) => p.kind === 'added').map((p) => p.text.trim())).toEqual(['I', 'personally', 'Thursday.'])
  })

  it('same text is one unchanged part; a total rewrite of a long text stays bounded', () => {
    expect(diffWords('a b c', 'a b c')).toEqual([{ kind: 'same', text: 'a b c' }])
    const long = (w: string) => Array.from({ length: 3000 }, (_, i) => `${w}${i}`).join(' ')
    const started = Date.now()
    const parts = diffWords(long('x'), long('y'))
    expect(Date.now() - started).toBeLessThan(500)
    expect(parts.map((p) => p.kind)).toEqual(['removed', 'added'])
    expect(tokenize('  two  words ')).toEqual(['  ', 'two  ', 'words '])
  })
})

describe('template drafts: language and recipient', () => {
  it('say in the tone notes that the customer wrote in another language', () => {
    expect(renderTemplate(context({ language: 'de' }), 'reply').toneNotes).toContain('The customer wrote in German')
    expect(renderTemplate(context({ language: 'en' }), 'reply').toneNotes).not.toContain('wrote in')
    expect(renderTemplate(context({ language: null }), 'reply').toneNotes).not.toContain('wrote in')
  })

  it('a letter to counsel greets counsel, not the client, and names the client', () => {
    const ctx = context({
      source: 'lawyer',
      customerName: 'Herr Weber',
      customerEmail: null,
      channel: { channelKind: 'counsel', channelName: 'Kötter & Partner', channelEmail: 'm.koetter@koetter-partner.de' },
    })
    expect(ctx.replyRoute).toMatchObject({ kind: 'channel', to: ['m.koetter@koetter-partner.de'] })
    const t = renderTemplate(ctx, 'reply')
    expect(t.body).toMatch(/^Dear Sir or Madam,/)
    expect(t.body).toContain('on behalf of Herr Weber')
  })

  it("tell the model to answer in the customer's language, and who reads the reply", () => {
    expect(systemMessage(context({ language: 'de' }), 'reply')).toContain(
      'Language: the customer wrote in German. Write the body in German',
    )
    expect(systemMessage(context({ language: 'en' }), 'reply')).not.toContain('Language:')
    const counsel = context({
      source: 'lawyer',
      customerEmail: null,
      channel: { channelKind: 'counsel', channelName: 'Kötter & Partner', channelEmail: 'm.koetter@koetter-partner.de' },
    })
    expect(systemMessage(counsel, 'reply')).toContain("Recipient: the reply goes to the customer's counsel")
    const bbb = context({
      source: 'bbb',
      customerEmail: null,
      channel: { channelKind: 'bbb', channelName: 'BBB Serving Central Ohio', channelEmail: 'complaints@centralohio.bbb.org' },
    })
    expect(systemMessage(bbb, 'reply')).toContain('Recipient: the reply goes back through the BBB')
    // The body's own name stays in the data, out of our instructions.
    expect(systemMessage(bbb, 'reply')).not.toContain('Central Ohio')
  })
})
