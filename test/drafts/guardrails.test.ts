import { describe, expect, it } from 'vitest'
import { checkDraft, checkText, type FlagCode } from '../../src/drafts/guardrails.ts'

// Each text flag: sentences that must raise it, and near-misses that must not (including the
// careful wording the instructions ask for, so good drafts are not buried in false alarms).
const table: Record<
  Exclude<
    FlagCode,
    | 'wrong_recipient'
    | 'no_reply_recipient'
    | 'colleague_recipient'
    | 'missing_recipient'
    | 'cc_not_on_thread'
    | 'legal_review'
    | 'missing_facts'
    | 'other'
  >,
  { bad: string[]; good: string[] }
> = {
  liability_admission: {
    bad: [
      'This was entirely our fault.',
      'The outage was our mistake.',
      'We admit that the charge was wrong.',
      'We accept full liability for what happened.',
      'We were negligent in handling your account.',
      'We accept full responsibility for the damage to your car.',
      'We breached the terms of your contract.',
    ],
    good: [
      'I am sorry for the disruption this caused you.',
      'We take ownership of fixing this, and I will see it through.',
      'We do not accept liability for this claim.',
      'It was not our intention to cause you any trouble.',
      'We are responsible for keeping you informed, and we will.',
      'We acknowledge receipt of your letter.',
    ],
  },
  compensation_promise: {
    bad: [
      'We will refund your last three invoices.',
      "I'll credit your account today.",
      'We will issue you a full refund.',
      'We are going to pay you $500 for the inconvenience.',
      'You will receive a gift card next week.',
      'We will be happy to offer you a 20% discount.',
      'Your next six months free of charge for the trouble.',
      'We will give you three months free.',
    ],
    good: [
      'We will review whether a credit applies under your plan.',
      'Your invoice of $120 was charged twice, and we are looking into it.',
      'We will pay close attention to your account this week.',
      'A refund is something the billing team is assessing.',
    ],
  },
  blame: {
    bad: [
      'You should have read the installation guide.',
      'You failed to update the firmware.',
      'This was user error.',
      'Our shipping team dropped the ball on this one.',
      'The courier is to blame for the delay.',
      'It was the warehouse’s fault.',
      'It is not our fault that the parcel was late.',
      "You didn't follow the instructions we sent.",
    ],
    good: [
      'Our billing team is reviewing the charge today.',
      'You mentioned that the parcel arrived damaged.',
      'The error message you saw means the payment did not go through.',
      'I understand why you are frustrated, and I do not blame you.',
    ],
  },
  threat: {
    bad: [
      'We will suspend your account if this continues.',
      'We reserve the right to terminate your contract.',
      'Remove the post, or else.',
      'Failure to pay the balance will result in collection.',
      'We may report you to the authorities.',
      'This is your final warning.',
    ],
    good: [
      'We will not suspend your account while we look into this.',
      'We will close this case only when you confirm it is fixed.',
      'Your service will keep running as normal.',
    ],
  },
  legal_mention: {
    bad: [
      'We have passed your letter to our lawyers.',
      'The matter has been referred to our counsel.',
      'Any legal action is for you to decide.',
      'This may end up in court.',
    ],
    good: [
      'We will have an update for you by Friday.',
      'Thank you for your patience while we look into this.',
      'Our courteous team is here to help.',
    ],
  },
  placeholder: {
    bad: [
      'Dear [Name],',
      'We will update you by {{date}}.',
      'Your order <insert order number> is on its way.',
      'Please call <NAME> on our team.',
      'The fix ships on TBD.',
      'Your reference is XXX.',
      'Sign here: ______',
      'Hello {customer_name},',
    ],
    good: [
      'Dear Pat,',
      'Your reference is ESC-1042.',
      'Write to me directly at jane@example.com.',
      'Jane Doe <jane@example.com> owns your case.',
      'See https://example.com/help for the steps.',
    ],
  },
}

describe('guardrails: text checks', () => {
  for (const [code, { bad, good }] of Object.entries(table)) {
    describe(code, () => {
      it.each(bad)('flags: %s', (sentence) => {
        const flags = checkText(sentence)
        expect(flags.map((f) => f.code)).toContain(code)
        expect(flags.find((f) => f.code === code)!.evidence).toBe(sentence)
      })
      it.each(good)('does not flag: %s', (sentence) => {
        expect(checkText(sentence).map((f) => f.code)).not.toContain(code)
      })
    })
  }

  it('a careful reply raises nothing', () => {
    const reply = [
      'Dear Pat,',
      'Thank you for writing to me about your order. I am sorry it has not arrived, and I understand how frustrating the wait has been.',
      'I have asked our logistics lead to trace the parcel today. I will update you by 14:30 UTC on Tuesday 24 November with what we find and what happens next.',
      'If anything changes on your side, reply to this email: it comes straight to me.',
      'Kind regards,\nJane Doe\nExample Corp',
    ].join('\n\n')
    expect(checkText(reply)).toEqual([])
  })

  it('placeholders block approval; the rest only warn', () => {
    const flags = checkText('Dear [Name], this was our fault and we will refund you.')
    expect(flags.find((f) => f.code === 'placeholder')?.severity).toBe('block')
    expect(flags.find((f) => f.code === 'liability_admission')?.severity).toBe('warn')
    expect(flags.find((f) => f.code === 'compensation_promise')?.severity).toBe('warn')
  })
})

describe('guardrails: recipients, legal review, missing facts, model flags', () => {
  const base = { to: ['pat@customer.test'], subject: 'Re: My order', body: 'Dear Pat,\n\nThank you for writing.' }
  const ctx = { allowedRecipients: ['pat@customer.test', 'ceo@example.com'], source: 'direct' }

  it('a recipient on the case passes, case-insensitively; a stranger blocks', () => {
    expect(checkDraft({ ...base, to: ['PAT@customer.test', 'ceo@example.com'] }, ctx)).toEqual([])
    const flags = checkDraft({ ...base, to: ['pat@customer.test', 'someone@else.test'] }, ctx)
    expect(flags).toEqual([expect.objectContaining({ code: 'wrong_recipient', severity: 'block', evidence: 'someone@else.test' })])
  })

  it('no recipient at all blocks', () => {
    expect(checkDraft({ ...base, to: [] }, ctx).map((f) => [f.code, f.severity])).toEqual([['missing_recipient', 'block']])
  })

  it('a placeholder in the subject blocks too', () => {
    expect(checkDraft({ ...base, subject: 'Re: order {{order_id}}' }, ctx).map((f) => f.code)).toEqual(['placeholder'])
  })

  it('lawyer and regulator cases always carry the legal review flag; others never', () => {
    expect(checkDraft(base, { ...ctx, source: 'lawyer' }).map((f) => f.code)).toEqual(['legal_review'])
    expect(checkDraft(base, { ...ctx, source: 'regulator' }).map((f) => f.code)).toEqual(['legal_review'])
    for (const source of ['ceo_inbox', 'bbb', 'social', 'direct', 'form', 'csv']) {
      expect(checkDraft(base, { ...ctx, source }).map((f) => f.code)).not.toContain('legal_review')
    }
  })

  it('missing facts warn; none, no flag', () => {
    expect(checkDraft(base, { ...ctx, missingFacts: ['The tracking number'] })).toEqual([
      expect.objectContaining({ code: 'missing_facts', severity: 'warn', evidence: 'The tracking number' }),
    ])
    expect(checkDraft(base, { ...ctx, missingFacts: [] })).toEqual([])
  })

  it("adds the model's flags, never duplicates ours and cannot clear a recipient problem", () => {
    const flags = checkDraft(
      { ...base, to: [], body: 'We will refund you.' },
      {
        ...ctx,
        modelFlags: [
          { code: 'compensation_promise', message: 'dup', evidence: 'refund' },
          { code: 'threat', message: 'Tone could read as pressure', evidence: 'you must reply' },
          { code: 'made_up', message: 'Odd', evidence: 'x' },
        ],
      },
    )
    expect(flags.map((f) => `${f.code}:${f.source}`)).toEqual([
      'compensation_promise:rules',
      'missing_recipient:rules',
      'threat:model',
      'other:model',
    ])
  })
})

describe('guardrails: a reply never goes to a no-reply address or a colleague', () => {
  const base = { to: ['pat@customer.test'], subject: 'Re: My order', body: 'Dear Pat,\n\nThank you for writing.' }
  const org = {
    inboundAddresses: ['escalations@northwind.example'],
    domains: ['northwind.example', 'northwind.de'],
    teamAddresses: ['t.baker@northwind.example'],
  }
  // Addresses that are "on the case" all the same: the notice's sender, the forwarding executive.
  const ctx = {
    allowedRecipients: ['pat@customer.test', 'noreply@bbb.org', 'dana.ruiz@northwind.example', 'j.weber@northwind.de'],
    source: 'bbb',
    org,
  }

  it('blocks a no-reply address even when it sent mail on the case', () => {
    for (const address of [
      'noreply@bbb.org',
      'do-not-reply@consumerfinance.gov',
      'notifications@trustpilot.com',
      'MAILER-DAEMON@mx.example',
    ]) {
      const flags = checkDraft({ ...base, to: [address] }, { ...ctx, allowedRecipients: [...ctx.allowedRecipients, address.toLowerCase()] })
      expect(flags).toEqual([expect.objectContaining({ code: 'no_reply_recipient', severity: 'block', evidence: address.toLowerCase() })])
    }
  })

  it("blocks a colleague: the org's domains, its desk address and its users, even the executive who forwarded it", () => {
    for (const address of [
      'dana.ruiz@northwind.example',
      'j.weber@northwind.de',
      'escalations@northwind.example',
      'someone@mx-out.northwind.example',
    ]) {
      const flags = checkDraft({ ...base, to: [address] }, ctx)
      expect(flags.map((f) => [f.code, f.severity])).toEqual([['colleague_recipient', 'block']])
    }
  })

  it('the customer passes; a stranger is still a wrong recipient', () => {
    expect(checkDraft(base, ctx)).toEqual([])
    expect(checkDraft({ ...base, to: ['pat@customer.test', 'x@elsewhere.test'] }, ctx).map((f) => f.code)).toEqual(['wrong_recipient'])
  })

  it('an empty To says why the case has no recipient', () => {
    const flags = checkDraft(
      { ...base, to: [] },
      { ...ctx, noRecipientReason: 'No recipient: the notice gives no address for Maria Gonzalez.' },
    )
    expect(flags).toEqual([
      expect.objectContaining({
        code: 'missing_recipient',
        severity: 'block',
        message: 'No recipient: the notice gives no address for Maria Gonzalez.',
      }),
    ])
  })

  it("a reply to counsel needs legal review whatever the case's source", () => {
    expect(
      checkDraft(
        { ...base, to: ['m.koetter@koetter-partner.de'] },
        { ...ctx, allowedRecipients: ['m.koetter@koetter-partner.de'], source: 'ceo_inbox', channelKind: 'counsel' },
      ).map((f) => f.code),
    ).toEqual(['legal_review'])
  })
})
