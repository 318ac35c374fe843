// Checks that run on every draft version, whoever wrote it (model, template or person). They are
// deliberately plain patterns: predictable, explainable to an approver ("this sentence"), and
// tested on a table of good and bad sentences. The model's own flags are added, never trusted
// to remove one of ours.
import type { OrgContext } from '../intake/org-context.ts'
import { unusableRecipient } from './recipient.ts'

export const flagCodes = [
  'liability_admission',
  'compensation_promise',
  'blame',
  'threat',
  'legal_mention',
  'placeholder',
  'wrong_recipient',
  'no_reply_recipient',
  'colleague_recipient',
  'missing_recipient',
  'cc_not_on_thread',
  'legal_review',
  'missing_facts',
  'other',
] as const
export type FlagCode = (typeof flagCodes)[number]
export type FlagSeverity = 'block' | 'warn'

/** block: approval is impossible until fixed; warn: the approver must acknowledge it explicitly. */
export type GuardrailFlag = { code: FlagCode; severity: FlagSeverity; message: string; evidence: string; source: 'rules' | 'model' }

export const severityOf: Record<FlagCode, FlagSeverity> = {
  placeholder: 'block',
  wrong_recipient: 'block',
  no_reply_recipient: 'block',
  colleague_recipient: 'block',
  missing_recipient: 'block',
  cc_not_on_thread: 'warn',
  liability_admission: 'warn',
  compensation_promise: 'warn',
  blame: 'warn',
  threat: 'warn',
  legal_mention: 'warn',
  legal_review: 'warn',
  missing_facts: 'warn',
  other: 'warn',
}

const messages: Record<FlagCode, string> = {
  liability_admission: 'Admits liability or fault: check with counsel before anything like this is sent.',
  compensation_promise: 'Promises money or compensation: confirm it is within policy and approved.',
  blame: 'Blames the customer or another team: own the problem instead.',
  threat: 'Reads as a threat to the customer.',
  legal_mention: 'Mentions legal action, lawyers or courts.',
  placeholder: 'Has an unfilled placeholder: fill it in before approval.',
  wrong_recipient: 'Addressed to someone who is not on the case.',
  no_reply_recipient: 'Addressed to a no-reply address: nobody reads it, so this reply would never reach anyone.',
  colleague_recipient:
    'Addressed to a colleague (an address of your own organization): the reply must go to the customer, or to the body or counsel they came through.',
  missing_recipient: 'Has no recipient: the case has no customer address yet.',
  cc_not_on_thread:
    'Copies someone who is not on the thread: they will read the customer’s complaint and your answer. Confirm they should.',
  legal_review: 'Legal matter: counsel must review this reply before it is approved.',
  missing_facts: 'Written without some facts: add them or confirm they are not needed.',
  other: 'Flagged by the drafting model.',
}

// Words that may sit between "we will" and the verb without changing the promise.
const softeners = String.raw`(?:(?:also|immediately|personally|fully|gladly|happily|now|today|certainly|of course)\s+)?(?:be\s+(?:happy|glad|able|pleased)\s+to\s+)?`
const we = String.raw`\b(?:we|i)\s*(?:will|'ll|’ll|shall|are going to|am going to|promise to|guarantee to|guarantee that we will|can guarantee)\s+`

const textRules: { code: FlagCode; patterns: RegExp[] }[] = [
  {
    code: 'liability_admission',
    patterns: [
      /\b(?:it|this|that|the\s+(?:error|mistake|problem|failure|outage|delay|damage|incident))\s+(?:was|is|is\s+entirely|was\s+entirely|was\s+completely|is\s+completely)\s+(?:our|my)\s+(?:own\s+)?(?:fault|mistake|error|negligence)\b/i,
      /(?<!\bnot\s)(?<!n't\s)\b(?:our|my)\s+(?:own\s+)?(?:fault|negligence)\b/i,
      /\bwe\s+(?:are|were|have\s+been)\s+(?:fully\s+|entirely\s+|solely\s+)?(?:legally\s+)?(?:liable|negligent|at\s+fault)\b/i,
      /\bwe\s+(?:hereby\s+)?(?:admit|concede)\b/i,
      /\bwe\s+(?:accept|acknowledge|take)\s+(?:full\s+|complete\s+|all\s+)?(?:legal\s+)?(?:liability|negligence|fault)\b/i,
      /\bwe\s+(?:accept|take)\s+(?:full\s+|complete\s+|all\s+)?responsibility\s+for\s+(?:the|your|any|all)\s+(?:damage|damages|loss|losses|injur\w*|harm)\b/i,
      /\bwe\s+(?:breached|violated)\s+(?:the|our|your)\b/i,
      /\bwe\s*(?:are|were|'re|’re)\s+in\s+breach\b/i,
    ],
  },
  {
    code: 'compensation_promise',
    patterns: [
      new RegExp(`${we}${softeners}(?:refund|reimburse|compensate|credit|waive|pay(?!\\s+(?:close\\s+|more\\s+)?attention))\\b`, 'i'),
      new RegExp(
        `${we}${softeners}(?:issue|give|offer|send|provide|apply|grant|arrange)\\s+(?:you\\s+|your\\s+account\\s+)?(?:with\\s+)?(?:a\\s+|an\\s+|the\\s+)?(?:full\\s+|partial\\s+|\\d+\\s?%\\s+|one-time\\s+|goodwill\\s+|generous\\s+)?(?:refund|credit|compensation|reimbursement|voucher|gift\\s+card|discount|payment|free)\\b`,
        'i',
      ),
      new RegExp(`${we}[^.!?\\n]{0,60}?(?:[$€£]\\s?\\d|\\b\\d[\\d,.]*\\s?(?:dollars|euros|pounds|usd|eur|gbp)\\b)`, 'i'),
      /\byou\s+will\s+(?:receive|get|be\s+(?:refunded|reimbursed|compensated|credited|paid))\b/i,
      /\b(?:a|your|the)\s+(?:full\s+)?(?:refund|credit|compensation)\s+(?:will\s+be|has\s+been\s+approved|is\s+on\s+its\s+way)\b/i,
      /\b(?:\d+|one|two|three|six|twelve)\s+(?:months?|years?)\s+(?:free|at\s+no\s+(?:charge|cost))\b/i,
      /\bfree\s+of\s+charge\s+for\b/i,
    ],
  },
  {
    code: 'blame',
    patterns: [
      /\byou\s+(?:should\s+have|should've|failed\s+to|neglected\s+to|were\s+supposed\s+to|forgot\s+to|ignored)\b/i,
      /\byou\s+(?:did\s*not|didn't|didn’t)\s+(?:follow|read|check|configure|pay|update|contact|back\s+up)\b/i,
      /\b(?:your|the\s+customer's)\s+(?:own\s+)?(?:fault|mistake|carelessness)\b/i,
      /\b(?:your|the\s+customer's)\s+error\b(?!\s+(?:message|code|log|report|screen))/i,
      /\buser\s+error\b/i,
      /\bbecause\s+you\s+(?:did\s+not|didn't|failed|chose|ignored|misused|forgot)\b/i,
      /\b(?:our|the)\s+(?:\w+\s+)?(?:team|department|staff|colleagues|engineers|developers|agents|warehouse|courier|carrier|vendor|supplier|partner|contractor|subcontractor)s?\s+(?:\w+\s+)?(?:messed\s+up|screwed\s+up|dropped\s+the\s+ball|(?:is|was|are|were)\s+(?:to\s+blame|at\s+fault)|made\s+(?:a|an|the)\s+(?:mistake|error)|caused\s+(?:this|the\s+(?:problem|issue|delay|error))|failed\s+to)\b/i,
      /\b(?:it's|it\s+is|it\s+was|this\s+is|this\s+was)\s+(?:the\s+)?(?!our\b|my\b)\w+(?:'s|’s)?\s+fault\b/i,
      /\b(?:not|isn't|wasn't|is\s+not|was\s+not)\s+(?:our|my)\s+fault\b/i,
    ],
  },
  {
    code: 'threat',
    patterns: [
      /\b(?:we|i)\s*(?:will|'ll|’ll|shall|may|might|are\s+going\s+to|reserve\s+the\s+right\s+to|will\s+have\s+no\s+choice\s+but\s+to|have\s+no\s+choice\s+but\s+to)\s+(?:be\s+forced\s+to\s+)?(?:(?!not\b|never\b)\w+\s+)?(?:(?:suspend|terminate|close|cancel|ban|block|disconnect|cut\s+off|restrict)\s+your\s+(?:account|service|services|access|contract|subscription|membership)|report\s+you|sue|prosecute|take\s+(?:legal\s+)?action\s+against|involve\s+(?:the\s+)?(?:police|authorities)|(?:send|refer)\s+(?:this|you|your\s+account)\s+to\s+(?:a\s+)?collections?)\b/i,
      /\bor\s+else\b/i,
      /\byou\s+will\s+regret\b/i,
      /\bfailure\s+to\s+\w+(?:\s+\w+){0,4}\s+will\s+result\s+in\b/i,
      /\bfinal\s+warning\b/i,
      /\bthere\s+will\s+be\s+consequences\b/i,
    ],
  },
  {
    code: 'legal_mention',
    patterns: [
      /\b(?:lawsuits?|litigation|litigate|sue|suing|sued|legal\s+action|legal\s+proceedings?|courts?|attorneys?|lawyers?|solicitors?|counsel|legal\s+(?:department|team|advice|review)|cease\s+and\s+desist|small\s+claims|arbitration|tribunal|subpoena|class\s+action)\b/i,
    ],
  },
  {
    code: 'placeholder',
    patterns: [
      /\[(?!ESC-\d+\])[^\]\n]*[A-Za-z][^\]\n]*\](?!\()/,
      /\{\{[^}\n]*\}\}/,
      /\$\{[^}\n]*\}/,
      /\{[A-Za-z_][\w .-]{0,40}\}/,
      /<\s*(?:insert|add|your|customer|name|date|company|placeholder|todo|tbd)\b[^>\n]*>/i,
      /<[A-Z][A-Z0-9_ ]{1,40}>/,
      /\b(?:TODO|TBD|TBC|FIXME)\b/,
      /\bX{3,}\b|\bXX\/XX\b/,
      /_{3,}/,
      /%[A-Za-z_]+%/,
    ],
  },
]

/** Sentences, roughly: enough to show the approver exactly which words raised a flag. */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter(Boolean)
}

const clip = (s: string) => (s.length > 240 ? `${s.slice(0, 237)}…` : s)

/** The text checks alone (liability, money, blame, threats, legal, placeholders). */
export function checkText(text: string): GuardrailFlag[] {
  const flags: GuardrailFlag[] = []
  const parts = sentences(text)
  for (const rule of textRules) {
    const hits = parts.filter((s) => rule.patterns.some((p) => p.test(s)))
    if (hits.length) {
      flags.push({
        code: rule.code,
        severity: severityOf[rule.code],
        message: messages[rule.code],
        evidence: hits.slice(0, 3).map(clip).join(' … '),
        source: 'rules',
      })
    }
  }
  return flags
}

export type DraftForCheck = { to: string[]; cc?: string[]; subject: string; body: string }
export type CheckContext = {
  /** Addresses on the case: the customer, the body or counsel it came through, the forwarders, known senders of the thread. */
  allowedRecipients: string[]
  /** Everyone the case's mail came from, was addressed or copied to: a copy to anyone else is a warning. */
  threadAddresses?: string[]
  source: string
  /** The org's own addresses and domains: a colleague is never a reply's recipient. */
  org?: Pick<OrgContext, 'inboundAddresses' | 'domains' | 'teamAddresses'> | null
  /** The body or counsel the case came through (a lawyer's letter needs legal review whatever its source). */
  channelKind?: string | null
  /** Why the case has no recipient, when it has none (shown instead of the generic message). */
  noRecipientReason?: string | null
  missingFacts?: string[]
  modelFlags?: { code: string; message: string; evidence: string }[]
}

/** Every flag of one draft version, rules first, then what only the model noticed. */
export function checkDraft(draft: DraftForCheck, ctx: CheckContext): GuardrailFlag[] {
  const flags = checkText(`${draft.subject}\n${draft.body}`)
  const to = draft.to.map((a) => a.trim().toLowerCase())
  const cc = (draft.cc ?? []).map((a) => a.trim().toLowerCase())
  const allowed = new Set(ctx.allowedRecipients.map((a) => a.trim().toLowerCase()))
  const why = (a: string) => unusableRecipient(a, ctx.org ?? null)
  const noReply = [...to, ...cc].filter((a) => why(a) === 'no_reply')
  const colleagues = to.filter((a) => why(a) === 'colleague')
  const strangers = to.filter((a) => why(a) === null && !allowed.has(a))
  // A colleague may be copied (the account manager); anyone not on the thread is the approver's call.
  const onThread = new Set([...allowed, ...(ctx.threadAddresses ?? []).map((a) => a.toLowerCase())])
  const newCopies = cc.filter((a) => why(a) !== 'no_reply' && !onThread.has(a))
  if (!to.length)
    flags.push(
      ctx.noRecipientReason
        ? { ...flag('missing_recipient', 'To: (empty)'), message: ctx.noRecipientReason }
        : flag('missing_recipient', 'To: (empty)'),
    )
  if (noReply.length) flags.push(flag('no_reply_recipient', noReply.join(', ')))
  if (colleagues.length) flags.push(flag('colleague_recipient', colleagues.join(', ')))
  if (strangers.length) flags.push(flag('wrong_recipient', strangers.join(', ')))
  if (newCopies.length) flags.push(flag('cc_not_on_thread', `Cc: ${newCopies.join(', ')}`))
  if (ctx.source === 'lawyer' || ctx.source === 'regulator') flags.push(flag('legal_review', `The case came from a ${ctx.source}.`))
  else if (ctx.channelKind === 'counsel') flags.push(flag('legal_review', "The reply goes to the customer's counsel."))
  if (ctx.missingFacts?.length) flags.push(flag('missing_facts', ctx.missingFacts.slice(0, 5).join('; ')))
  for (const m of ctx.modelFlags ?? []) {
    const code = (flagCodes as readonly string[]).includes(m.code) ? (m.code as FlagCode) : 'other'
    if (flags.some((f) => f.code === code) || recipientCodes.has(code) || code === 'legal_review' || code === 'missing_facts') continue
    flags.push({
      code,
      severity: severityOf[code],
      message: m.message.trim().slice(0, 300) || messages[code],
      evidence: clip(m.evidence.trim()),
      source: 'model',
    })
  }
  return flags
}

// Only the rules decide who a reply may go to: a model's flag can neither add nor clear these.
const recipientCodes = new Set<FlagCode>([
  'wrong_recipient',
  'no_reply_recipient',
  'colleague_recipient',
  'missing_recipient',
  'cc_not_on_thread',
])

function flag(code: FlagCode, evidence: string): GuardrailFlag {
  return { code, severity: severityOf[code], message: messages[code], evidence: clip(evidence), source: 'rules' }
}

export const blockers = (flags: GuardrailFlag[]) => flags.filter((f) => f.severity === 'block')
export const warnings = (flags: GuardrailFlag[]) => flags.filter((f) => f.severity === 'warn')
