import { caseLabel } from '../cases/terms.ts'
import type { Digest } from './types.ts'
import { duration, localTime, minutesText, oneLine, plural, shortDate } from './format.ts'
import type { CaseLine } from './queries.ts'
import { redFlagText } from '../playbook/red-flags.ts'

// What the digest says, as data: its sections and lines, yesterday's figures, its subject. The
// mail itself (text and HTML) is views/mail/digest.tsx.

export type DigestCounts = Record<
  | 'breached'
  | 'atRisk'
  | 'awaitingApproval'
  | 'unowned'
  | 'cadenceMissed'
  | 'internalMissed'
  | 'failedSends'
  | 'preventionOverdue'
  | 'recoveryOverdue'
  | 'recoveryChecksDue'
  | 'redFlags',
  number
>

const total = (lines: { total: number }[]) => lines[0]?.total ?? 0

export function digestCounts(d: Digest): DigestCounts {
  return {
    breached: total(d.breached),
    atRisk: total(d.atRisk),
    awaitingApproval: total(d.awaitingApproval),
    unowned: total(d.unowned),
    cadenceMissed: total(d.cadenceMissed),
    internalMissed: total(d.internalMissed ?? []),
    failedSends: total(d.failedSends),
    preventionOverdue: total(d.preventionOverdue),
    recoveryOverdue: total(d.recoveryOverdue ?? []),
    recoveryChecksDue: total(d.recoveryChecksDue ?? []),
    redFlags: total(d.redFlags ?? []),
  }
}

/** Yesterday's figures alone are not news: the digest is sent for things someone must act on. */
export const needsAttention = (d: Digest) => Object.values(digestCounts(d)).some((n) => n > 0)

export const caseUrl = (publicUrl: string, caseId: string) => `${publicUrl.replace(/\/+$/, '')}/cases/${caseId}`

/** One entry of a section: the case (linked), then what is wrong with it. */
export type DigestLine = { label: string; subject: string; detail: string; url: string | null }
export type DigestSection = { title: string; total: number; lines: DigestLine[] }

function caseDetail(kind: 'breached' | 'atRisk' | 'unowned' | 'cadence' | 'internal', c: CaseLine, d: Digest): string {
  const tz = d.org.timeZone
  const owner = c.ownerName ? `owner ${c.ownerName}` : 'no owner'
  const at = c.at ? new Date(c.at) : null
  switch (kind) {
    case 'breached':
      return `${c.clock ?? 'deadline'} overdue by ${duration(d.now.getTime() - at!.getTime())} · ${owner}`
    case 'atRisk':
      return `${c.clock ?? 'deadline'} due ${localTime(at!, d.now, tz)} (in ${duration(at!.getTime() - d.now.getTime())}) · ${owner}`
    case 'unowned':
      return at ? `${c.clock ?? 'deadline'} due ${localTime(at, d.now, tz)}` : 'no running clock'
    case 'cadence':
      return `customer update was due ${localTime(at!, d.now, tz)} (${duration(d.now.getTime() - at!.getTime())} ago) · ${owner}`
    case 'internal':
      return `internal update was due ${localTime(at!, d.now, tz)} (${duration(d.now.getTime() - at!.getTime())} ago) · ${owner}`
  }
}

export function digestSections(d: Digest, publicUrl: string): DigestSection[] {
  const label = (n: number | null, severity?: string) => (n === null ? 'Review' : `${caseLabel(n)}${severity ? ` ${severity}` : ''}`)
  const cases = (title: string, kind: Parameters<typeof caseDetail>[0], rows: CaseLine[]): DigestSection => ({
    title,
    total: rows[0]?.total ?? 0,
    lines: rows.map((c) => ({
      label: label(c.number, c.severity),
      subject: oneLine(c.subject),
      detail: caseDetail(kind, c, d),
      url: caseUrl(publicUrl, c.id),
    })),
  })
  return [
    cases('Breached', 'breached', d.breached),
    cases('At risk', 'atRisk', d.atRisk),
    cases('Turning at risk in the next 24 hours', 'atRisk', d.turningAtRisk ?? []),
    {
      title: 'Awaiting approval',
      total: d.awaitingApproval[0]?.total ?? 0,
      lines: d.awaitingApproval.map((a) => ({
        label: label(a.number, a.severity),
        subject: oneLine(a.subject),
        detail: `version ${a.version} waiting ${duration(d.now.getTime() - new Date(a.since).getTime())} for ${a.approvers.join(', ')}${a.linksExpired ? ' · links expired, ask again' : ''}`,
        url: caseUrl(publicUrl, a.caseId),
      })),
    },
    cases('Unowned', 'unowned', d.unowned),
    cases('SEV-1/2 updates missed', 'cadence', d.cadenceMissed),
    cases('Internal updates missed', 'internal', d.internalMissed ?? []),
    {
      title: 'Failed sends',
      total: d.failedSends[0]?.total ?? 0,
      lines: d.failedSends.map((f) => ({
        label: label(f.number, f.severity),
        subject: oneLine(f.subject),
        detail: `approved reply not delivered: ${oneLine(f.error ?? 'unknown error', 120)}`,
        url: caseUrl(publicUrl, f.caseId),
      })),
    },
    {
      title: 'Overdue prevention actions',
      total: d.preventionOverdue[0]?.total ?? 0,
      lines: d.preventionOverdue.map((p) => ({
        label: label(p.number),
        subject: oneLine(p.title),
        detail: `was due ${shortDate(p.dueOn)}${p.ownerName ? ` · owner ${p.ownerName}` : ''}`,
        url: p.caseId ? caseUrl(publicUrl, p.caseId) : null,
      })),
    },
    {
      title: 'Recovery promises overdue',
      total: d.recoveryOverdue?.[0]?.total ?? 0,
      lines: (d.recoveryOverdue ?? []).map((r) => ({
        label: label(r.number),
        subject: oneLine(r.title),
        detail: `no follow-through: was due ${shortDate(r.dueOn)}${r.credit ? ` · credit ${r.credit}` : ''}${r.ownerName ? ` · owner ${r.ownerName}` : ''}`,
        url: caseUrl(publicUrl, r.caseId),
      })),
    },
    {
      title: '90-day relationship checks due',
      total: d.recoveryChecksDue?.[0]?.total ?? 0,
      lines: (d.recoveryChecksDue ?? []).map((r) => ({
        label: label(r.number),
        subject: oneLine(r.subject),
        detail: `was the relationship maintained? due ${shortDate(r.dueOn)}`,
        url: caseUrl(publicUrl, r.caseId),
      })),
    },
    // In the body, not the subject: most flags repeat a section above (breached, update missed).
    {
      title: 'Red flags',
      total: d.redFlags?.[0]?.total ?? 0,
      lines: (d.redFlags ?? []).map((r) => ({
        label: label(r.number, r.severity),
        subject: oneLine(r.subject),
        detail: `${r.redFlags.map((f) => redFlagText[f].label.toLowerCase()).join(', ')}${r.ownerName ? ` · owner ${r.ownerName}` : ' · no owner'}`,
        url: caseUrl(publicUrl, r.id),
      })),
    },
  ].filter((s) => s.total > 0)
}

export function yesterdayLines(d: Digest): string[] {
  const y = d.yesterday
  const lines: string[] = []
  if (y.overall.replies === 0) lines.push('No first responses were sent.')
  else {
    lines.push(`First responses: ${y.overall.replies}, median ${minutesText(y.overall.medianMinutes ?? 0)}`)
    for (const f of y.firstResponses) {
      const target = f.targetMinutes === null ? '' : ` against a ${minutesText(f.targetMinutes)} target`
      lines.push(`${f.severity}: median ${minutesText(f.medianMinutes)}${target}, ${f.withinTarget} of ${f.replies} on time`)
    }
  }
  const clocks = y.compliance.filter((c) => c.total > 0)
  const met = clocks.reduce((n, c) => n + c.met, 0)
  const all = clocks.reduce((n, c) => n + c.total, 0)
  if (all === 0) lines.push('SLA compliance: no deadline fell due.')
  else {
    const parts = clocks.map((c) => `${c.clock} ${c.met}/${c.total}`).join(', ')
    lines.push(`SLA compliance: ${Math.round((100 * met) / all)}% (${met} of ${plural(all, 'deadline')} met; ${parts})`)
  }
  return lines
}

export function digestSubject(d: Digest): string {
  const c = digestCounts(d)
  const parts = [
    c.breached && `${c.breached} breached`,
    c.atRisk && `${c.atRisk} at risk`,
    c.awaitingApproval && `${c.awaitingApproval} awaiting approval`,
    c.unowned && `${c.unowned} unowned`,
    c.cadenceMissed && `${plural(c.cadenceMissed, 'update')} missed`,
    c.internalMissed && `${plural(c.internalMissed, 'internal update')} missed`,
    c.failedSends && `${plural(c.failedSends, 'failed send')}`,
    c.preventionOverdue && `${plural(c.preventionOverdue, 'prevention action')} overdue`,
    c.recoveryOverdue && `${plural(c.recoveryOverdue, 'recovery promise')} overdue`,
    c.recoveryChecksDue && `${plural(c.recoveryChecksDue, '90-day check')} due`,
  ].filter(Boolean)
  return `Escalations ${shortDate(d.org.localDate)}: ${parts.length ? parts.join(', ') : 'nothing needs attention'}`
}
