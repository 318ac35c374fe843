// The labelled examples as files: JSONL (one object a line, for scripts that check the rules
// against what people decided) or CSV (for a spreadsheet; cells neutralised against formulas).
import { csvLine } from '../imports/csv-safety.ts'
import type { IntakeExample } from './corrections.ts'

export const exampleFormats = ['jsonl', 'csv'] as const
export type ExampleFormat = (typeof exampleFormats)[number]

const columns = ['created_at', 'case', 'raw_id', 'message_id', 'subject', 'field', 'intake_said', 'person_decided', 'decided_by'] as const

function record(e: IntakeExample) {
  return {
    created_at: e.createdAt.toISOString(),
    case: `ESC-${e.caseNumber}`,
    raw_id: e.rawId,
    message_id: e.messageId,
    subject: e.subject,
    field: e.field,
    intake_said: e.intakeValue ?? null,
    person_decided: e.decidedValue ?? null,
    decided_by: e.decidedBy,
  }
}

const cell = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v))

export function formatExamples(examples: IntakeExample[], format: ExampleFormat): string {
  if (format === 'jsonl') return examples.map((e) => `${JSON.stringify(record(e))}\n`).join('')
  return (
    csvLine([...columns]) +
    examples
      .map((e) => {
        const r = record(e)
        return csvLine(columns.map((c) => cell(r[c])))
      })
      .join('')
  )
}

export const exampleContentType: Record<ExampleFormat, string> = {
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
}
