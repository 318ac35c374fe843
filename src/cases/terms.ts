// The case's closed sets and how people read them: the one list of each, which zod enums, form
// options, CSV aliases and checks derive from. The database's check constraints carry the same
// lists (sql/00001_foundation.sql); a new value is a migration plus a line here.

export const severities = ['SEV-1', 'SEV-2', 'SEV-3', 'SEV-4'] as const
export type Severity = (typeof severities)[number]

/** Where an escalation came from. Mail is classified into the first six; people enter 'form', spreadsheets 'csv'. */
export const sources = ['ceo_inbox', 'bbb', 'lawyer', 'regulator', 'social', 'direct', 'form', 'csv'] as const
export type Source = (typeof sources)[number]
/** What a person may choose when entering an escalation by hand ('csv' is for spreadsheets). */
export const enteredSources = ['form', 'ceo_inbox', 'bbb', 'lawyer', 'regulator', 'social', 'direct'] as const satisfies readonly Source[]
export type EnteredSource = (typeof enteredSources)[number]

/** new → triaged (owner set) → awaiting_approval → responded → waiting_customer ⇄ in_progress → resolved → closed. */
export const statuses = [
  'new',
  'triaged',
  'awaiting_approval',
  'responded',
  'waiting_customer',
  'in_progress',
  'resolved',
  'closed',
] as const
export type CaseStatus = (typeof statuses)[number]

/** The body a notice came through, or counsel (a lawyer's letter): how a reply through it is named. */
export const channelKinds = [
  'bbb',
  'cfpb',
  'attorney_general',
  'ombudsman',
  'data_protection_authority',
  'consumer_affairs',
  'review_platform',
  'counsel',
] as const
export type ChannelKind = (typeof channelKinds)[number]

export const channelLabels: Record<ChannelKind, string> = {
  bbb: 'the BBB',
  cfpb: 'the CFPB',
  attorney_general: "the attorney general's office",
  ombudsman: 'the ombudsman',
  data_protection_authority: 'the data-protection authority',
  consumer_affairs: 'the consumer-affairs office',
  review_platform: 'the review platform',
  counsel: 'counsel',
}

/** "German" for "de": the language a customer writes in, in words (the code itself when unknown). */
export function languageName(code: string | null | undefined): string | null {
  if (!code) return null
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(code) ?? code
  } catch {
    return code
  }
}

export const caseTypes = ['technical', 'service', 'business', 'security', 'compliance'] as const
export type CaseType = (typeof caseTypes)[number]

export const sourceLabels: Record<Source, string> = {
  ceo_inbox: 'CEO inbox',
  bbb: 'BBB',
  lawyer: 'Lawyer',
  regulator: 'Regulator',
  social: 'Social',
  direct: 'Direct',
  form: 'Form',
  csv: 'CSV',
}

/** A source as people read it; anything unknown (an old row, a typo) shows as itself. */
export const sourceLabel = (source: string) => sourceLabels[source as Source] ?? source

/** "waiting customer", "in progress": a status in words. */
export const statusLabel = (status: string) => status.replaceAll('_', ' ')

/** A case's number as everyone quotes it: ESC-1042. */
export const caseLabel = (number: number) => `ESC-${number}`

const member = <T extends string>(list: readonly T[]) => {
  const set = new Set<string>(list)
  return (value: unknown): value is T => typeof value === 'string' && set.has(value)
}

export const isSeverity = member(severities)
export const isSource = member(sources)
export const isStatus = member(statuses)
