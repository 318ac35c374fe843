// What classify() answers about one message, each answer with its reasons: the shape intake,
// the dry run, the eval and the model's comparison all read. Types only, so the readers and the
// model step can share it without importing one another.
import type { CaseType, Source as CaseSource } from '../cases/terms.ts'
import type { DedupeKeys } from './dedupe.ts'
import type { RecognisedExecutive } from './executives.ts'
import type { ModelExtraction } from './model-extraction.ts'
import type { Noise } from './noise.ts'
import type { Channel, Person } from './notice-types.ts'
import type { Severity } from './severity.ts'

/** The sources intake reads from mail: every case source but the form and CSV import (src/cases/terms.ts). */
export type Source = Exclude<CaseSource, 'form' | 'csv'>
export type { CaseType }

export type Classification = {
  isEscalation: boolean
  /** Why it is, or is not, an escalation. */
  escalationReason: string
  /** The kind of automatic mail, when it is one (a kept bulk notice of a review is still an escalation). */
  noise: Noise | null
  /** For auto-replies and delivery reports: the Message-IDs of ours they answer or return. */
  referencedMessageIds: string[]
  source: Source
  sourceReasons: string[]
  channel: Channel | null
  channelReasons: string[]
  customer: Person
  customerReasons: string[]
  /** Who brought it to the desk, outermost first (a colleague who writes their own report too). */
  forwardedBy: string[]
  /** The executive the complaint reached, if any; `executives` lists all recognised. */
  executive: RecognisedExecutive | null
  executives: RecognisedExecutive[]
  severity: Severity
  severityReasons: string[]
  type: CaseType
  externalRef: string | null
  externalRefReasons: string[]
  /** ISO 639-1 code of the customer's own words (filled by analyzeMessage from `languageSample`). */
  language: string | null
  languageReasons: string[]
  /** The customer's own words, bounded, and whose they are: what the language is read from. */
  languageSample: { text: string; whose: string }
  dedupe: DedupeKeys
  /** What the model read, when intake asked one (after the parse worker, with an OpenAI key). */
  model?: ModelExtraction
}
