import { caseLabel } from '../cases/terms.ts'
import type { Digest } from './digest.ts'
import { digestCounts } from './digest.ts'
import { duration, localTime, longDate, minutesText, oneLine, plural, shortDate } from './format.ts'
import type { CaseLine } from './queries.ts'

export type RenderedMail = { subject: string; text: string; html: string }

/** Escapes text for HTML element content and quoted attribute values. */
export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!)

export const caseUrl = (publicUrl: string, caseId: string) => `${publicUrl.replace(/\/+$/, '')}/cases/${caseId}`

/** One entry of a section: the case (linked), then what is wrong with it. */
type Line = { label: string; subject: string; detail: string; url: string | null }
type Section = { title: string; total: number; lines: Line[] }

function caseDetail(kind: 'breached' | 'atRisk' | 'unowned' | 'cadence', c: CaseLine, d: Digest): string {
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
  }
}

function sections(d: Digest, publicUrl: string): Section[] {
  const label = (n: number | null, severity?: string) => (n === null ? 'Review' : `${caseLabel(n)}${severity ? ` ${severity}` : ''}`)
  const cases = (title: string, kind: Parameters<typeof caseDetail>[0], rows: CaseLine[]): Section => ({
    title,
    total: rows[0]?.total ?? 0,
    lines: rows.map((c) => ({ label: label(c.number, c.severity), subject: oneLine(c.subject), detail: caseDetail(kind, c, d), url: caseUrl(publicUrl, c.id) })),
  })
  return [
    cases('Breached', 'breached', d.breached),
    cases('At risk in the next 24 hours', 'atRisk', d.atRisk),
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
  ].filter((s) => s.total > 0)
}

function yesterdayLines(d: Digest): string[] {
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
    c.failedSends && `${plural(c.failedSends, 'failed send')}`,
    c.preventionOverdue && `${plural(c.preventionOverdue, 'prevention action')} overdue`,
  ].filter(Boolean)
  return `Escalations ${shortDate(d.org.localDate)}: ${parts.length ? parts.join(', ') : 'nothing needs attention'}`
}

/**
 * The digest as plain text and HTML. Built for a phone: one column, short lines, each case
 * label a link to its page; the HTML is inline-styled (mail clients drop <style>) and every
 * customer-supplied string is escaped.
 */
export function renderDigest(d: Digest, publicUrl: string): RenderedMail {
  const base = publicUrl.replace(/\/+$/, '')
  const list = sections(d, base)
  const more = (s: Section) => (s.total > s.lines.length ? s.total - s.lines.length : 0)
  const heading = `${d.org.name}: escalation digest for ${longDate(d.org.localDate)}`
  const yesterday = yesterdayLines(d)

  const text = [
    heading,
    '',
    ...(list.length ? [] : ['Nothing needs attention this morning.', '']),
    ...list.flatMap((s) => [
      `${s.title.toUpperCase()} (${s.total})`,
      ...s.lines.flatMap((l) => [`- ${l.label}: ${l.subject}`, `  ${l.detail}`, ...(l.url ? [`  ${l.url}`] : [])]),
      ...(more(s) ? [`  …and ${more(s)} more in the queue`] : []),
      '',
    ]),
    `YESTERDAY (${longDate(d.yesterday.date)})`,
    ...yesterday.map((l) => `- ${l}`),
    '',
    `Queue: ${base}/`,
    `Digest and alert settings: ${base}/admin/digest`,
  ].join('\n')

  const e = escapeHtml
  const font = 'font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif'
  const html = [
    `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${e(heading)}</title></head>`,
    `<body style="margin:0;padding:0;background:#f5f6f8">`,
    `<div style="max-width:600px;margin:0 auto;padding:16px;${font};font-size:16px;line-height:1.45;color:#1d2330">`,
    `<h1 style="font-size:20px;margin:0 0 12px">${e(heading)}</h1>`,
    list.length ? '' : `<p style="margin:0 0 16px">Nothing needs attention this morning.</p>`,
    ...list.map((s) => [
      `<h2 style="font-size:16px;margin:20px 0 8px;text-transform:uppercase;letter-spacing:.03em;color:${s.title === 'Breached' ? '#b3261e' : '#1d2330'}">${e(s.title)} (${s.total})</h2>`,
      ...s.lines.map((l) => `<div style="background:#fff;border-radius:6px;padding:10px 12px;margin:0 0 8px;word-wrap:break-word">`
        + (l.url ? `<a href="${e(l.url)}" style="font-weight:600;color:#1a56db;text-decoration:none">${e(l.label)}</a>` : `<strong>${e(l.label)}</strong>`)
        + ` ${e(l.subject)}<br><span style="color:#5b6373;font-size:14px">${e(l.detail)}</span></div>`),
      more(s) ? `<p style="margin:0 0 8px;color:#5b6373;font-size:14px">…and ${more(s)} more in the <a href="${e(base)}/" style="color:#1a56db">queue</a></p>` : '',
    ].join('')),
    `<h2 style="font-size:16px;margin:20px 0 8px;text-transform:uppercase;letter-spacing:.03em">Yesterday (${e(longDate(d.yesterday.date))})</h2>`,
    `<ul style="margin:0;padding-left:20px">${yesterday.map((l) => `<li>${e(l)}</li>`).join('')}</ul>`,
    `<p style="margin:24px 0 0;font-size:14px;color:#5b6373"><a href="${e(base)}/" style="color:#1a56db">Open the queue</a> · <a href="${e(base)}/admin/digest" style="color:#1a56db">Digest and alert settings</a></p>`,
    `</div></body></html>`,
  ].join('\n')

  return { subject: digestSubject(d), text, html }
}
