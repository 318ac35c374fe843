import { classify } from './classify.ts'
import type { Classification, OrgContext, Severity, Source } from './classify.ts'
import { defaultLimits, parseMime } from './parse.ts'
import type { Limits, ParsedMail } from './parse.ts'
import { unwrapForwards } from './unwrap.ts'
import type { Unwrapped } from './unwrap.ts'

/** Exactly the fields of `desk ingest --dry-run --json` (DESIGN.md, "Interfaces others rely on"). */
export type DryRun = {
  source: Source
  customer: { email: string | null; name: string | null }
  forwardedBy: string[]
  subject: string
  externalRef: string | null
  severity: Severity
  severityReasons: string[]
  messageId: string | null
  inReplyTo: string | null
}

export type Analysis =
  | { ok: true; mail: ParsedMail; unwrapped: Unwrapped; classification: Classification; summary: DryRun }
  | { ok: false; reason: string }

/**
 * How intake analyses a message. In-process by default ({@link analyzeMessage}); the Node entry
 * points pass a worker pool (src/intake/analysis-pool.ts) so that a runaway parse is stopped
 * without stalling the server. The result is structured-clone safe: plain data only.
 */
export type Analyzer = (raw: Uint8Array, org: OrgContext, limits?: Limits) => Promise<Analysis>

/** Parse, unwrap and classify one raw message. Pure: no database, no network. */
export async function analyzeMessage(raw: Uint8Array, org: OrgContext, limits: Limits = defaultLimits): Promise<Analysis> {
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

export function toDryRun(mail: ParsedMail, unwrapped: Unwrapped, classification: Classification): DryRun {
  return {
    source: classification.source,
    customer: { email: unwrapped.customer?.email || null, name: unwrapped.customer?.name || null },
    forwardedBy: unwrapped.forwardedBy.map((a) => a.email),
    subject: unwrapped.subject,
    externalRef: classification.externalRef,
    severity: classification.severity,
    severityReasons: classification.severityReasons,
    messageId: mail.messageId,
    inReplyTo: mail.inReplyTo,
  }
}
