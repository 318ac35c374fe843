// The drafts used when the model is not (no key, AI off, timeout, refusal, bad output): the
// standard acknowledgment, progress update, resolution and executive apology, filled with the
// case's data. They never contain a placeholder: what they cannot know goes to missingFacts.
import { caseLabel, languageName } from '../cases/terms.ts'
import { promisedTime, type DraftContext } from './context.ts'
import type { DraftContent, DraftPurpose, RecoveryAction } from './schema.ts'
import { fillTemplate, houseKindLabels, isHouseKind, type FieldValues } from '../playbook/template-fields.ts'

export type TemplateKind = 'acknowledgment' | 'legal_acknowledgment' | 'progress_update' | 'resolution' | 'executive_apology'

export type { DraftContent }

export function chooseTemplate(ctx: DraftContext, purpose: DraftPurpose): TemplateKind {
  if (purpose === 'resolution') return 'resolution'
  if (purpose === 'update') return 'progress_update'
  if (ctx.kase.source === 'lawyer' || ctx.kase.source === 'regulator') return 'legal_acknowledgment'
  if (ctx.kase.source === 'ceo_inbox') return 'executive_apology'
  return 'acknowledgment'
}

export const replySubject = (ctx: DraftContext) => {
  const original = ctx.kase.originalSubject.trim() || ctx.kase.subject
  return /^re:/i.test(original) ? original : `Re: ${original}`
}

export function signatureOf(ctx: DraftContext): string {
  const { signature, sender_name: sender } = ctx.org.settings
  // A reply to the CEO's inbox is the executive's own: their name and title, not the team's.
  if (ctx.kase.source === 'ceo_inbox' && ctx.executive?.name) {
    return [ctx.executive.name, ctx.executive.title ? `${ctx.executive.title}, ${ctx.org.name}` : ctx.org.name].join('\n')
  }
  if (signature.trim()) return signature.trim()
  return [sender.trim() || 'Customer Care', ctx.org.name].join('\n')
}

/** What proportionalRecovery reads: a DraftContext fits, and so does the case page's lighter load. */
export type RecoveryInput = {
  kase: Pick<DraftContext['kase'], 'source' | 'severity'>
  account: Pick<NonNullable<DraftContext['account']>, 'health' | 'annualRevenue'> | null
  earlierCases: unknown[]
}

/** Severity, account and repeat escalations decide what recovery is proportional. */
export function proportionalRecovery(ctx: RecoveryInput): { action: RecoveryAction | null; rationale: string } {
  const { kase, account, earlierCases } = ctx
  if (kase.source === 'lawyer' || kase.source === 'regulator') {
    return { action: null, rationale: 'Legal or regulatory matter: any recovery is decided with counsel.' }
  }
  const ladder: RecoveryAction[] = ['apology', 'apology_credit', 'executive_call_credit_roadmap', 'in_person_gesture']
  let step = { 'SEV-1': 2, 'SEV-2': 1, 'SEV-3': 0, 'SEV-4': 0 }[kase.severity]
  const reasons = [`${kase.severity}`]
  const revenue = Number(account?.annualRevenue ?? 0)
  if (account?.health === 'red' || revenue >= 1_000_000) {
    step++
    reasons.push(account?.health === 'red' ? 'account health red' : 'key account by revenue')
  }
  if (earlierCases.length) {
    step++
    reasons.push(`${earlierCases.length} earlier escalation${earlierCases.length === 1 ? '' : 's'}`)
  }
  if (kase.source === 'ceo_inbox' && step === 0) {
    step = 1
    reasons.push('reached the CEO')
  }
  const action = ladder[Math.min(step, ladder.length - 1)]!
  return { action, rationale: `Proportional to the impact: ${reasons.join(', ')}.` }
}

export function renderTemplate(ctx: DraftContext, purpose: DraftPurpose): DraftContent & { kind: TemplateKind } {
  const kind = chooseTemplate(ctx, purpose)
  const { kase } = ctx
  // A letter to counsel is addressed to counsel, whose name the case does not hold: never "Dear <client>".
  const toCounsel = kase.channelKind === 'counsel' && ctx.replyRoute.kind === 'channel'
  const greetingName = toCounsel ? undefined : kase.customerName?.trim()
  // "by 13:00 CET on Tuesday 24 November" in the customer's zone (else the org's), or "within 2
  // hours" when no zone is known: never a bare UTC time.
  const when = (d: Date | null) => (d ? promisedTime(ctx, d) : null)
  const promiseAt = when(kase.nextUpdateAt) ?? when(kase.resolutionDueAt)
  const label = caseLabel(kase.number)
  // The subject is never quoted back: it is the customer's, often angry ("SCAM!!! worst service
  // ever"), and reads as mockery in our reply. The case number says which matter it is.
  const wrote = ctx.customerWrote ?? (kase.hasMessages && kase.source !== 'form' && kase.source !== 'csv')
  const signature = signatureOf(ctx)
  const house = isHouseKind(kind) ? ctx.houseTemplates?.[kind] : undefined
  if (house) {
    const values = { customer_name: greetingName, case_number: label, next_update: promiseAt, signature }
    return fromHouseTemplate(ctx, kind, house, values)
  }
  const missingFacts: string[] = []
  let body: string

  switch (kind) {
    case 'executive_apology':
      body = [
        `Dear ${greetingName || 'Sir or Madam'},`,
        `Your message reached my desk, and I have read it personally. I am sorry: this is not the experience we want anyone to have with ${ctx.org.name}.`,
        `I have asked our team to look into it right away. It is logged as ${label}, one person now owns it from start to finish, and I will make sure it gets the attention it deserves. ${promiseAt ? `You will hear from us ${promiseAt} with what we have found and what we are doing about it.` : 'You will hear from us soon with what we have found and what we are doing about it.'}`,
        'If you would like to reach me directly, simply reply to this email: it comes straight to me and to the person I have asked to handle this.',
        `Sincerely,\n${signature}`,
      ].join('\n\n')
      missingFacts.push("What went wrong, in the customer's terms", 'What is being done about it')
      break
    case 'legal_acknowledgment': {
      const ref = kase.externalRef ? `, reference ${kase.externalRef}` : ''
      body = [
        `Dear ${greetingName || 'Sir or Madam'},`,
        `We acknowledge receipt of your ${kase.source === 'regulator' ? 'correspondence' : 'letter'}${toCounsel && kase.customerName ? ` on behalf of ${kase.customerName}` : ''}${ref}, which we have logged as ${label}.`,
        kase.source === 'regulator'
          ? 'The matter has been referred to the people responsible for regulatory matters and to our counsel, who will respond.'
          : 'The matter has been referred to our counsel, who will respond.',
        `Please direct any further correspondence on this matter to this address${kase.externalRef ? `, quoting reference ${kase.externalRef}` : ''}.`,
        `Yours sincerely,\n${signature}`,
      ].join('\n\n')
      if (!kase.externalRef) missingFacts.push('Their reference or matter number, if the letter has one')
      break
    }
    case 'progress_update':
      body = [
        `Dear ${greetingName || 'Sir or Madam'},`,
        `Here is an update on your case, ${label}.`,
        'Our team continues to work on it, and it remains a priority for us.',
        promiseAt
          ? `We will update you again ${promiseAt}, or sooner as soon as there is news.`
          : 'We will update you again as soon as there is news.',
        'If anything has changed on your side, reply to this email and it will reach the person handling your case.',
        `Kind regards,\n${signature}`,
      ].join('\n\n')
      missingFacts.push('What has been found or done since the last message', 'What happens next')
      break
    case 'resolution':
      body = [
        `Dear ${greetingName || 'Sir or Madam'},`,
        `We believe the issue you raised with us, ${label}, has now been resolved.`,
        'Please check that everything works as you expect and reply to this email to confirm, or to tell us if anything is still not right. We will keep the case open until we hear from you.',
        'Thank you for your patience while we worked on this.',
        `Kind regards,\n${signature}`,
      ].join('\n\n')
      missingFacts.push('What was done to resolve it')
      break
    default:
      body = acknowledgment(ctx, { greetingName, wrote, label, promiseAt, signature, missingFacts })
  }

  const recovery = proportionalRecovery(ctx)
  return {
    kind,
    subject: replySubject(ctx),
    body,
    toneNotes: [
      `Standard ${kind.replaceAll('_', ' ')} template, filled with the case's data; review and add the specifics before approval.`,
      ...languageNote(ctx),
    ].join(' '),
    missingFacts,
    recoveryAction: recovery.action,
    recoveryRationale: recovery.rationale,
  }
}

/**
 * The team's own template of this kind (src/playbook), filled with the case's data. A field it
 * cannot fill stays as written ({what_happened}): the placeholder guardrail then blocks approval
 * until a person fills it, so there is nothing to list as missing facts besides.
 */
function fromHouseTemplate(
  ctx: DraftContext,
  kind: TemplateKind,
  house: { version: number; body: string },
  values: FieldValues,
): DraftContent & { kind: TemplateKind } {
  const body = fillTemplate(house.body, {
    ...values,
    external_ref: ctx.kase.externalRef,
    org_name: ctx.org.name,
    executive_name: ctx.executive?.name,
  })
  const recovery = proportionalRecovery(ctx)
  const name = isHouseKind(kind) ? houseKindLabels[kind].toLowerCase() : kind
  return {
    kind,
    subject: replySubject(ctx),
    body,
    toneNotes: [
      `The team's ${name} template (version ${house.version}), filled with the case's data; fill any {field} left and add the specifics before approval.`,
      ...languageNote(ctx),
    ].join(' '),
    missingFacts: [],
    recoveryAction: recovery.action,
    recoveryRationale: recovery.rationale,
  }
}

/** The templates are English: the approver is told when the customer wrote in another language. */
function languageNote(ctx: DraftContext): string[] {
  const language = languageName(ctx.kase.language)
  if (!language || ctx.kase.language === 'en') return []
  return [
    `The customer wrote in ${language}; this template is in English: translate it into ${language} (or redraft once AI drafting is on) before approval.`,
  ]
}

function acknowledgment(
  ctx: DraftContext,
  v: {
    greetingName: string | undefined
    wrote: boolean
    label: string
    promiseAt: string | null
    signature: string
    missingFacts: string[]
  },
): string {
  const { kase } = ctx
  const hello = `Dear ${v.greetingName || 'Sir or Madam'},`
  const next = v.promiseAt ? `we will update you ${v.promiseAt}` : 'we will update you as soon as we have news'
  if (kase.source === 'bbb') {
    if (!kase.externalRef) v.missingFacts.push('The BBB complaint number')
    return [
      hello,
      `Thank you for bringing your concerns to us through the Better Business Bureau${kase.externalRef ? ` (complaint ${kase.externalRef})` : ''}. We have opened case ${v.label} for your complaint, and one member of our team is responsible for it until it is resolved.`,
      `We are reviewing your account and the events you describe, and ${next} with the facts as we find them and a proposed resolution. If there are details you would like us to consider, such as dates, order numbers or earlier correspondence, please reply to this email.`,
      `Sincerely,\n${v.signature}`,
    ].join('\n\n')
  }
  if (kase.source === 'social') {
    return [
      `Hello${v.greetingName ? ` ${v.greetingName}` : ''},`,
      `Thank you for reaching out, and I am sorry for the trouble. We want to look into this properly, which means using details that are better kept out of public posts.`,
      `Please reply to this email with the email address on your account or your order number, so we can continue privately. Your case is ${v.label}, and ${next}.`,
      `Thank you,\n${v.signature}`,
    ].join('\n\n')
  }
  const urgent = kase.severity === 'SEV-1'
  v.missingFacts.push('What is known so far about the cause')
  return [
    hello,
    `Thank you for ${v.wrote ? 'writing to us' : kase.source === 'form' ? 'getting in touch with us' : 'contacting us'}. I am sorry for the trouble this has caused you${urgent ? ', and I understand how serious the impact is' : ''}.`,
    `${urgent ? 'We are treating this as our highest priority. ' : ''}Your message is logged as ${v.label}, and one person on our team now owns it from start to finish. We are looking into what happened, and ${next}${urgent ? ', with what we know and what we are doing' : ''}.`,
    'If anything has changed or there is more we should know, simply reply to this email; it comes straight to the person handling your case.',
    `Kind regards,\n${v.signature}`,
  ].join('\n\n')
}
