import { caseLabel } from '../cases/terms.ts'
import { formatTime } from '../../views/components/parts.tsx'
import type { ReviewReport } from './review.ts'
import { processPrompts } from './process.ts'

// The review as a Markdown document (a wiki page, a ticket, an email to leadership). The team's
// text is written as typed (its authors are the team); list items are kept on one line and
// table cells escape "|", so the document's structure survives whatever was typed.

export const whyPrompts = [
  'Why did the customer escalate?',
  'Why did that happen?',
  'Why did that happen?',
  'Why did that happen?',
  'Why did that happen? (usually the root cause)',
]

const section = (title: string, body: string) => `## ${title}\n\n${body.trim() || '_Not written yet._'}\n`
/** One line per entry: a line break inside a list item would end the list. */
const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim()

export function reviewMarkdown(r: ReviewReport): string {
  const when = (d: Date) => formatTime(d, r.timezone)
  const { kase, fields } = r
  const parts = [
    `# Post-incident review: ${caseLabel(kase.number)} — ${oneLine(kase.subject)}\n`,
    `${kase.severity} · ${r.orgName} · opened ${when(kase.openedAt)}${kase.resolvedAt ? ` · resolved ${when(kase.resolvedAt)}` : ''}${r.saved ? ` · last edited ${when(r.saved.updatedAt)}${r.saved.updatedByName ? ` by ${r.saved.updatedByName}` : ''}` : ' · generated from the case, not edited yet'}\n`,
    section('Summary', fields.summary),
    `## Timeline\n\nFrom the audit trail (${r.timezone}).\n\n${r.timeline.map((e) => `- ${when(e.at)} — ${oneLine(e.text)}`).join('\n') || '_No events._'}\n`,
    section('Customer impact', fields.customerImpact),
    `## Root cause\n\n### Five whys\n\n${whyPrompts.map((q, i) => `${i + 1}. **${q}** ${oneLine(fields.whys[i] ?? '') || '_…_'}`).join('\n')}\n\n${fields.rootCause.trim() || '_Root cause not written yet._'}\n`,
    ...(r.kind === 'full'
      ? [`## Process review\n\n${processPrompts.map((q, i) => `- **${q}** ${oneLine(fields.process[i] ?? '') || '_…_'}`).join('\n')}\n`]
      : [section('Prevention', fields.prevention)]),
    `Root-cause tags: ${fields.tags.length ? fields.tags.join(', ') : '_none_'}\n`,
    section('Resolution', fields.resolution),
    section(
      'Recovery actions taken',
      `${fields.recoveryTaken}${r.recovery ? `\n\nProportional recovery suggested by the desk: ${r.recovery.label}. ${r.recovery.rationale}` : ''}`,
    ),
    `## Prevention actions\n\n${
      r.actions.length
        ? [
            '| Action | Owner | Due | Status |',
            '|---|---|---|---|',
            ...r.actions.map(
              (a) =>
                `| ${cell(a.title)} | ${cell(a.ownerName)} | ${a.dueOn} | ${a.status === 'done' ? `done ${a.doneAt ? when(a.doneAt) : ''}`.trim() : a.overdue ? 'open, **overdue**' : 'open'} |`,
            ),
          ].join('\n')
        : '_None recorded._'
    }\n`,
    section('Lessons learned', fields.lessons),
    section('Customer-facing incident summary', fields.customerSummary),
  ]
  return parts.join('\n')
}

const cell = (s: string) => oneLine(s).replaceAll('|', '\\|')
