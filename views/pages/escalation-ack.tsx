import { caseLabel } from '../../src/cases/terms.ts'
import type { AckedBy, AckLink } from '../../src/escalation/ack.ts'
import { formatTime, SeverityBadge } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

// The page behind an escalation mail's "I'm on it" link. Opening it changes nothing (mail
// scanners follow links); only the button, which POSTs, takes the clock.

const stepWords: Record<string, string> = {
  at_risk: 'is at risk',
  cadence: 'missed its customer update',
  approvers: 'is breached',
  executives: 'is breached and was escalated to the executives',
}

export function EscalationAckPage({ link }: { link: AckLink }) {
  const { kase, step } = link
  return (
    <Layout title={`I'm on it · ${caseLabel(kase.number)}`} user={null} orgName={kase.orgName}>
      <section class="panel narrow">
        <h1>
          {caseLabel(kase.number)} {stepWords[step.step] ?? 'needs someone'}
        </h1>
        <p class="chips">
          <SeverityBadge severity={kase.severity} /> <span class="subject-line">{kase.subject}</span>
        </p>
        <p>
          The {step.clock} was due {formatTime(step.deadline, kase.timeZone)}.
        </p>
        {link.acked ? (
          <AlreadyTaken by={link.acked} timeZone={kase.timeZone} />
        ) : (
          <form method="post" action="/escalation/ack" class="stack">
            <input type="hidden" name="token" value={link.token} />
            <p>Pressing the button records that you, {link.user.name}, are taking it, and stops the next alerts about this deadline.</p>
            <button type="submit" class="primary">
              I'm on it
            </button>
          </form>
        )}
        <p>
          <a href={`/cases/${kase.id}`}>Open the case (sign-in needed)</a>
        </p>
      </section>
    </Layout>
  )
}

function AlreadyTaken({ by, timeZone }: { by: AckedBy; timeZone: string }) {
  return (
    <p class="flash notice" role="status">
      {by.name} took it at {formatTime(by.at, timeZone)}: no further alerts about this deadline.
    </p>
  )
}

/** After the button: who has it now. */
export function EscalationAckDone({ link, by, mine }: { link: AckLink; by: AckedBy; mine: boolean }) {
  return (
    <Layout title={`Acknowledged · ${caseLabel(link.kase.number)}`} user={null} orgName={link.kase.orgName}>
      <section class="panel narrow">
        <h1>{mine ? `${caseLabel(link.kase.number)} is yours` : `${caseLabel(link.kase.number)} is taken`}</h1>
        <AlreadyTaken by={by} timeZone={link.kase.timeZone} />
        <p>
          <a href={`/cases/${link.kase.id}`}>Open the case (sign-in needed)</a>
        </p>
      </section>
    </Layout>
  )
}
