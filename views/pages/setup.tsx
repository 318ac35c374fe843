import { raw } from 'hono/html'
import type { Check } from '../../src/setup/checks.ts'
import type { TestCase } from '../../src/setup/queries.ts'
import { caseLabel } from '../../src/cases/terms.ts'
import { Flash, formatTime } from '../components/parts.tsx'
import { Layout, useNonce } from '../components/layout.tsx'

const setupStyles = `
.checks { list-style:none; padding:0; display:grid; gap:.6rem; }
.check { border:1px solid #d0d5dd; border-left-width:.4rem; border-radius:.4rem; padding:.6rem .8rem; background:#fff; }
.check.ok { border-left-color:#16794c; } .check.fail { border-left-color:#b42318; }
.check h3 { margin:0 0 .2rem; font-size:1rem; display:flex; gap:.5rem; align-items:baseline; flex-wrap:wrap; }
.check .verdict { font-weight:700; font-size:.8rem; letter-spacing:.04em; }
.check.ok .verdict { color:#16794c; } .check.fail .verdict { color:#b42318; }
.check p { margin:.2rem 0; overflow-wrap:anywhere; } .check ul { margin:.2rem 0; padding-left:1.2rem; font-size:.9rem; overflow-wrap:anywhere; }
.check .fix { font-weight:600; }
#setup-test pre { white-space:pre-wrap; overflow-wrap:anywhere; font-size:.8rem; background:#f5f6f8; padding:.6rem; border-radius:.3rem; }
#setup-test code { overflow-wrap:anywhere; } .arrived { font-weight:600; color:#16794c; }
.test-cases { width:100%; } .test-cases td { overflow-wrap:anywhere; }
@media (max-width: 700px) { .test-cases thead { display:none; } .test-cases tr { display:block; border-bottom:1px solid #d0d5dd; padding:.3rem 0; } .test-cases td { display:block; } }
`

export type SetupPageProps = {
  checks: Check[]
  test: TestPanelProps
}

export function SetupPage({ checks, test }: SetupPageProps) {
  const passing = checks.filter((c) => c.ok).length
  return (
    <Layout title="Set-up checklist">
      <style nonce={useNonce()}>{raw(setupStyles)}</style>
      <p class="crumbs">
        <a href="/">← Queue</a>
      </p>
      <h1>Going live: set-up checklist</h1>
      <p role="status" id="setup-summary">
        {passing === checks.length ? 'Everything going live needs is in place.' : `${passing} of ${checks.length} checks pass.`} Each check
        ran just now, against the real services. <a href="/admin/setup">Check again</a> · the same list on the command line:{' '}
        <code>desk doctor</code>
      </p>
      <ol class="checks">
        {checks.map((check) => (
          <CheckItem check={check} />
        ))}
      </ol>
      <TestPanel {...test} />
    </Layout>
  )
}

export function CheckItem({ check }: { check: Check }) {
  return (
    <li class={`check ${check.ok ? 'ok' : 'fail'}`} id={`check-${check.id}`} data-check={check.id} data-ok={String(check.ok)}>
      <h3>
        <span class="verdict">{check.ok ? '✓ PASS' : '✗ FAIL'}</span> {check.title}
      </h3>
      <p>{check.summary}</p>
      {check.lines.length ? (
        <ul>
          {check.lines.map((line) => (
            <li>{line}</li>
          ))}
        </ul>
      ) : null}
      {check.fix ? <p class="fix">What to do: {check.fix}</p> : null}
    </li>
  )
}

export type TestPanelProps = {
  address: string | null
  command: string | null
  /** Only test cases newer than this count as "arrived" on this page. */
  since: Date
  testCases: TestCase[]
  quarantinedSince: number
  /** Sent with the poll once a test case arrived: the checklist's row for it, turned green. */
  testCheck?: Check | null
  notice?: string | null
  error?: string | null
}

/** Polls itself every two seconds (outerHTML swap of #setup-test), so a test arriving shows at once. */
export function TestPanel({ address, command, since, testCases, quarantinedSince, testCheck, notice, error }: TestPanelProps) {
  const nonce = useNonce()
  const arrived = testCases.find((t) => t.createdAt > since)
  return (
    <section
      class="panel"
      id="setup-test"
      hx-get={`/admin/setup/test?since=${since.getTime()}`}
      hx-trigger="every 2s"
      hx-swap="outerHTML"
      hx-nonce={nonce}
    >
      <h2>Send a test message</h2>
      <Flash notice={notice} error={error} />
      <TestInstructions address={address} command={command} />
      <TestStatus arrived={arrived} testCases={testCases} quarantinedSince={quarantinedSince} />
      {testCases.length ? <TestCaseTable testCases={testCases} since={since} /> : null}
      {testCheck ? (
        <hx-partial hx-target={`#check-${testCheck.id}`} hx-swap="outerHTML" hx-nonce={nonce}>
          <CheckItem check={testCheck} />
        </hx-partial>
      ) : null}
    </section>
  )
}

/** Where to send the test message, and the signed-webhook command when there is one. */
function TestInstructions({ address, command }: { address: string | null; command: string | null }) {
  return address ? (
    <>
      <p>
        Send a complaint from any mailbox to <code>{address}</code>, the way customers and executives will (through your mail provider). It
        arrives as a test case: metrics and the digest leave it out, and you can discard it here.
      </p>
      {command ? (
        <>
          <p>
            Or post one to the signed webhook from a shell where <code>INBOUND_SECRET</code> is set:
          </p>
          <pre id="setup-test-command">{command}</pre>
        </>
      ) : null}
    </>
  ) : (
    <p>This organization has no inbound address yet: add one on the organization page first.</p>
  )
}

/** Whether the test arrived (and how fast), and what was quarantined meanwhile. */
function TestStatus({
  arrived,
  testCases,
  quarantinedSince,
}: {
  arrived: TestCase | undefined
  testCases: TestCase[]
  quarantinedSince: number
}) {
  return (
    <p role="status" id="setup-test-status">
      {arrived ? (
        <span class="arrived">
          Arrived: {caseLabel(arrived.number)}, “{arrived.subject}”{arrived.provider ? ` through ${arrived.provider}` : ''}
          {arrived.pipelineSeconds !== null ? `, a case ${arrived.pipelineSeconds.toFixed(1)} s after it was stored` : ''}
          {arrived.drafted ? '; its reply draft is ready' : '; drafting its reply…'}.
        </span>
      ) : testCases[0] ? (
        `Waiting for a new test message… (the last one, ${caseLabel(testCases[0].number)}, arrived ${formatTime(testCases[0].createdAt)}.)`
      ) : (
        'Waiting for a test message…'
      )}
      {quarantinedSince > 0 ? (
        <>
          {' '}
          {quarantinedSince} message{quarantinedSince === 1 ? ' was' : 's were'} quarantined since you opened this page: see{' '}
          <a href="/admin/quarantine">Quarantine</a>.
        </>
      ) : null}
    </p>
  )
}

/** The test cases so far, each discardable. */
function TestCaseTable({ testCases, since }: { testCases: TestCase[]; since: Date }) {
  const nonce = useNonce()
  return (
    <table class="test-cases">
      <thead>
        <tr>
          <th>Test case</th>
          <th>Arrived</th>
          <th>Through</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        {testCases.map((t) => (
          <tr>
            <td>
              <a href={`/cases/${t.id}`}>{caseLabel(t.number)}</a> {t.subject}
            </td>
            <td>{formatTime(t.createdAt)}</td>
            <td>{t.provider ?? '—'}</td>
            <td>
              {t.discarded ? (
                <span class="muted">discarded</span>
              ) : (
                <form
                  method="post"
                  action={`/admin/setup/test-cases/${t.id}/discard`}
                  class="inline"
                  hx-post={`/admin/setup/test-cases/${t.id}/discard`}
                  hx-target="#setup-test"
                  hx-swap="outerHTML"
                  hx-nonce={nonce}
                >
                  <input type="hidden" name="since" value={String(since.getTime())} />
                  <button type="submit" class="link">
                    Discard
                  </button>
                </form>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
