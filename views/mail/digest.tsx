import type { Digest } from '../../src/digest/types.ts'
import { longDate } from '../../src/digest/format.ts'
import { digestSections, digestSubject, yesterdayLines, type DigestLine, type DigestSection } from '../../src/digest/sections.ts'
import { linkStyle, MailDocument, mutedStyle, renderMailHtml, type RenderedMail } from './layout.tsx'

export type { RenderedMail }

const headingStyle = 'font-size:16px;margin:20px 0 8px;text-transform:uppercase;letter-spacing:.03em'
const more = (s: DigestSection) => (s.total > s.lines.length ? s.total - s.lines.length : 0)

function DigestEntry({ line }: { line: DigestLine }) {
  return (
    <div style="background:#fff;border-radius:6px;padding:10px 12px;margin:0 0 8px;word-wrap:break-word">
      {line.url ? (
        <a href={line.url} style={`font-weight:600;${linkStyle};text-decoration:none`}>
          {line.label}
        </a>
      ) : (
        <strong>{line.label}</strong>
      )}{' '}
      {line.subject}
      <br />
      <span style={mutedStyle}>{line.detail}</span>
    </div>
  )
}

function DigestHtml({ d, base, heading, list }: { d: Digest; base: string; heading: string; list: DigestSection[] }) {
  return (
    <MailDocument title={heading}>
      <h1 style="font-size:20px;margin:0 0 12px">{heading}</h1>
      {list.length ? null : <p style="margin:0 0 16px">Nothing needs attention this morning.</p>}
      {list.map((s) => (
        <>
          <h2 style={`${headingStyle};color:${s.title === 'Breached' ? '#b3261e' : '#1d2330'}`}>
            {s.title} ({s.total})
          </h2>
          {s.lines.map((line) => (
            <DigestEntry line={line} />
          ))}
          {more(s) ? (
            <p style={`margin:0 0 8px;${mutedStyle}`}>
              …and {more(s)} more in the{' '}
              <a href={`${base}/`} style={linkStyle}>
                queue
              </a>
            </p>
          ) : null}
        </>
      ))}
      <h2 style={headingStyle}>Yesterday ({longDate(d.yesterday.date)})</h2>
      <ul style="margin:0;padding-left:20px">
        {yesterdayLines(d).map((l) => (
          <li>{l}</li>
        ))}
      </ul>
      <p style={`margin:24px 0 0;${mutedStyle}`}>
        <a href={`${base}/`} style={linkStyle}>
          Open the queue
        </a>{' '}
        ·{' '}
        <a href={`${base}/admin/digest`} style={linkStyle}>
          Digest and alert settings
        </a>
      </p>
    </MailDocument>
  )
}

function digestText(d: Digest, base: string, heading: string, list: DigestSection[]): string {
  return [
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
    ...yesterdayLines(d).map((l) => `- ${l}`),
    '',
    `Queue: ${base}/`,
    `Digest and alert settings: ${base}/admin/digest`,
  ].join('\n')
}

/**
 * The daily digest, built for a phone: one column, short lines, each case label a link to its
 * page. The same content as plain text and as inline-styled HTML.
 */
export async function digestMail(d: Digest, publicUrl: string): Promise<RenderedMail> {
  const base = publicUrl.replace(/\/+$/, '')
  const heading = `${d.org.name}: escalation digest for ${longDate(d.org.localDate)}`
  // Built once for both bodies: the lines' local times and durations are most of the work.
  const list = digestSections(d, base)
  return {
    subject: digestSubject(d),
    text: digestText(d, base, heading, list),
    html: await renderMailHtml(<DigestHtml d={d} base={base} heading={heading} list={list} />),
  }
}
