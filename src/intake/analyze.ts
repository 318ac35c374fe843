import { classify } from './classify.ts'
import type { Classification, Source } from './classification.ts'
import type { Channel } from './notice-types.ts'
import type { OrgContext } from './org-context.ts'
import type { Severity } from './severity.ts'
import { defaultLimits, parseMime } from './parse.ts'
import type { Limits, ParsedMail } from './parse.ts'
import { detectLanguage } from './language.ts'
import { unwrapForwards } from './unwrap.ts'
import type { Unwrapped } from './unwrap.ts'

/** Exactly the fields of `desk ingest --dry-run --json`: a contract other tools read. */
export type DryRun = {
  isEscalation: boolean
  escalationReason: string
  source: Source
  channel: Pick<Channel, 'kind' | 'name' | 'email'> | null
  customer: { email: string | null; name: string | null }
  forwardedBy: string[]
  subject: string
  externalRef: string | null
  severity: Severity
  severityReasons: string[]
  language: string | null
  /** The executive the complaint reached, and whether the desk was told about them. */
  executive: { email: string; name: string | null; title: string | null; configured: boolean } | null
  messageId: string | null
  inReplyTo: string | null
  /** Why each field has its value. */
  reasons: {
    isEscalation: string[]
    source: string[]
    channel: string[]
    customer: string[]
    executive: string[]
    externalRef: string[]
    severity: string[]
    language: string[]
  }
}

export type Analysis =
  { ok: true; mail: ParsedMail; unwrapped: Unwrapped; classification: Classification; summary: DryRun } | { ok: false; reason: string }
/** An analysis that worked: what intake stores and the model step reads. */
export type Analysed = Extract<Analysis, { ok: true }>

/**
 * How intake analyses a message. In-process by default ({@link analyzeMessage}); the Node entry
 * points pass a worker pool (src/intake/analysis-pool.ts) so that a runaway parse is stopped
 * without stalling the server. The result is structured-clone safe: plain data only.
 */
export type Analyzer = (raw: Uint8Array, org: OrgContext, limits?: Limits) => Promise<Analysis>

/** Parse, unwrap and classify one raw message, and tell its language. Pure: no database, no network. */
export async function analyzeMessage(raw: Uint8Array, org: OrgContext, limits: Limits = defaultLimits): Promise<Analysis> {
  return withLanguage(await readMessage(raw, org, limits))
}

/**
 * Everything that reads the untrusted MIME: parse, unwrap, classify. This is what the parse
 * workers run (src/intake/analysis-pool.ts); the language is told afterwards (withLanguage),
 * from a bounded sample, by a detector too large for a memory-capped worker.
 */
export async function readMessage(raw: Uint8Array, org: OrgContext, limits: Limits = defaultLimits): Promise<Analysis> {
  const parsed = await parseMime(raw, limits)
  if (!parsed.ok) return parsed
  try {
    const mail = parsed.mail
    const unwrapped = unwrapForwards(mail)
    const classification = classify(mail, unwrapped, org)
    return { ok: true, mail, unwrapped, classification, summary: toDryRun(mail, unwrapped, classification) }
  } catch (err) {
    // A bug in our own heuristics must not lose the message: the caller quarantines it with this reason.
    const message = err instanceof Error ? err.message : String(err)
    return { ok: false, reason: `could not analyse the message: ${message.replace(/\s+/g, ' ').trim()}` }
  }
}

/** Reads the language of the customer's words (`languageSample`) into the analysis. */
export async function withLanguage(analysis: Analysis): Promise<Analysis> {
  if (!analysis.ok) return analysis
  const sample = analysis.classification.languageSample
  const language = await detectLanguage(sample.text, sample.whose)
  const languageReasons = language ? [language.reason] : ['too little text to tell']
  const classification = { ...analysis.classification, language: language?.code ?? null, languageReasons }
  return {
    ...analysis,
    classification,
    summary: {
      ...analysis.summary,
      language: classification.language,
      reasons: { ...analysis.summary.reasons, language: languageReasons },
    },
  }
}

export function toDryRun(mail: ParsedMail, unwrapped: Unwrapped, c: Classification): DryRun {
  const executive = c.executive
  return {
    isEscalation: c.isEscalation,
    escalationReason: c.escalationReason,
    source: c.source,
    channel: c.channel ? { kind: c.channel.kind, name: c.channel.name, email: c.channel.email } : null,
    customer: { email: c.customer.email, name: c.customer.name },
    forwardedBy: c.forwardedBy,
    subject: unwrapped.subject,
    externalRef: c.externalRef,
    severity: c.severity,
    severityReasons: c.severityReasons,
    language: c.language,
    executive: executive
      ? { email: executive.email, name: executive.name, title: executive.title, configured: executive.configured }
      : null,
    messageId: mail.messageId,
    inReplyTo: mail.inReplyTo,
    reasons: {
      isEscalation: [c.escalationReason],
      source: c.sourceReasons,
      channel: c.channelReasons,
      customer: c.customerReasons,
      executive: c.executives.map((e) => `${e.email}: ${e.reason}`),
      externalRef: c.externalRefReasons,
      severity: c.severityReasons,
      language: c.languageReasons,
    },
  }
}
