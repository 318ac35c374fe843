// The shapes the notice, counsel and customer readers share: the body or counsel a complaint came
// through (its channel), a person as a message names them, and a notice and its reading. Types
// only, so the readers can import one another's results without importing one another.
import type { Address } from './parse.ts'
import type { Reference } from './references.ts'
import type { ChannelKind } from '../cases/terms.ts'

export type { ChannelKind }
/** The body a notice came through (or counsel), and where a reply through it would go. */
export type Channel = { kind: ChannelKind; name: string | null; email: string | null; reference: string | null }
export type Person = { name: string | null; email: string | null }

export type NoticeReading = {
  channel: Channel
  consumer: Person
  reference: Reference | null
  /** The consumer's own words inside the notice (their complaint, review or rebuttal). */
  complaint: string
  reasons: { channel: string[]; customer: string[] }
}

/** The message a notice is read from: the deepest original of a forward, or the mail itself. */
export type NoticeDoc = {
  from: Address | null
  replyTo: Address[]
  to: Address[]
  subject: string
  text: string
  attachmentNames: string[]
  /** Bulk mail is read as a notice only when it comes from the body's own domain. */
  bulk: boolean
}
