import { recordAudit, systemActor } from '../audit/audit.ts'
import { linkSigningKey } from '../auth/tokens.ts'
import { caseLabel } from '../cases/terms.ts'
import { withOrg, type Db, type Tx } from '../db.ts'
import type { Env } from '../env.ts'
import { loadAlertCase, type AlertCase, type AlertClaim } from '../digest/alert-case.ts'
import { caseUrl } from '../digest/sections.ts'
import { insertJob } from '../jobs/queries.ts'
import { alertMail } from '../../views/mail/alert.tsx'
import { ackUrl, issueAckLink } from './ack.ts'
import type { ChainCandidate } from './scan.ts'
import { stepRecipients, stepText, type StepRecipient } from './step-mail.ts'

/**
 * Claims one org's due steps in one transaction. Each step is a row of escalation_steps under
 * its unique key (a racing scheduler finds it taken and sends nothing); the winner re-checks
 * that the clock is still the case's and nobody took it, audits the step (case.at_risk, or
 * case.breach for the steps after the deadline: Slack, Teams and webhooks hear of it from
 * that), and queues one mail per recipient with their own acknowledge link.
 */
export async function claimChainSteps(
  db: Db,
  env: Pick<Env, 'PUBLIC_URL' | 'LINK_SECRET'>,
  orgId: string,
  candidates: ChainCandidate[],
  now: Date,
): Promise<AlertClaim[]> {
  const key = await linkSigningKey(db, env.LINK_SECRET)
  return withOrg(db, orgId, async (tx) => {
    const claims: AlertClaim[] = []
    for (const c of candidates) {
      if (!(await stillRunning(tx, c))) continue
      const [row] = await tx<{ id: string }[]>`
        insert into escalation_steps (org_id, case_id, step, clock, deadline, step_key)
        values (${orgId}, ${c.caseId}, ${c.step}, ${c.clock}, ${c.deadline}, ${c.stepKey})
        on conflict do nothing returning id`
      const claim = { orgId, alertKey: c.stepKey, kind: c.step }
      if (!row) {
        claims.push({ ...claim, status: 'taken' })
        continue
      }
      const kase = (await loadAlertCase(tx, c.caseId))!
      const recipients = await stepRecipients(tx, c.step, kase)
      if (recipients.length === 0) {
        await tx`update escalation_steps set status = 'skipped', reason = 'nobody to send it to' where id = ${row.id}`
        claims.push({ ...claim, status: 'skipped' })
        continue
      }
      const jobIds: string[] = []
      for (const [i, to] of recipients.entries()) jobIds.push(await queueStepMail(tx, { env, key, now }, c, kase, row.id, to, i))
      const emails = recipients.map((r) => r.email)
      await tx`update escalation_steps set recipients = ${emails} where id = ${row.id}`
      await recordAudit(tx, orgId, {
        actor: systemActor,
        action: c.step === 'at_risk' ? 'case.at_risk' : 'case.breach',
        caseId: c.caseId,
        details: {
          clock: c.clock,
          deadline: c.deadline.toISOString(),
          // At risk: minutes left before the deadline; the breach steps: minutes past it.
          minutes: Math.floor(Math.abs(c.deadline.getTime() - now.getTime()) / 60_000),
          step: c.step,
        },
      })
      claims.push({ ...claim, status: 'queued', jobId: jobIds[0], recipients: emails })
    }
    return claims
  })
}

/** The case is still open work, the clock still its own (not met, not moved), and not acknowledged. */
async function stillRunning(tx: Tx, c: ChainCandidate): Promise<boolean> {
  // Compared to the millisecond: the deadline came back through a JavaScript Date.
  const column = c.step === 'cadence' ? tx`k.next_update_due_at` : tx`k.next_deadline_at`
  const [row] = await tx`
    select 1 from cases k
    where k.id = ${c.caseId} and case_is_open_work(k.status, k.setup_test) and date_trunc('milliseconds', ${column}) = ${c.deadline}
      and not exists (select 1 from escalation_acks a where a.case_id = k.id and a.deadline = ${c.deadline})`
  return Boolean(row)
}

/** One recipient's mail: stored in alerts_sent with its send job, so retries send the same text. */
async function queueStepMail(
  tx: Tx,
  ctx: { env: Pick<Env, 'PUBLIC_URL'>; key: Uint8Array; now: Date },
  c: ChainCandidate,
  kase: AlertCase,
  stepId: string,
  to: StepRecipient,
  index: number,
): Promise<string> {
  const base = ctx.env.PUBLIC_URL.replace(/\/+$/, '')
  const link = to.userId ? await issueAckLink(tx, ctx.key, { orgId: c.orgId, userId: to.userId, stepId, now: ctx.now }) : null
  const text = stepText(c, kase, ctx.now)
  const mail = await alertMail({
    subject: text.subject,
    lines: text.lines.filter(Boolean),
    caseLabel: caseLabel(kase.number),
    caseUrl: caseUrl(base, c.caseId),
    orgName: kase.orgName,
    settingsUrl: `${base}/admin/escalation`,
    ackUrl: link ? ackUrl(base, link) : undefined,
  })
  const alertKey = `${c.stepKey}/${index + 1}`
  const [alert] = await tx<{ id: string }[]>`
    insert into alerts_sent (org_id, kind, alert_key, case_id, idempotency_key, recipients, subject, text_body, html_body)
    values (${c.orgId}, ${c.step}, ${alertKey}, ${c.caseId}, ${`alert/${c.orgId}/${alertKey}`}, ${[to.email]},
            ${mail.subject}, ${mail.text}, ${mail.html})
    returning id`
  const jobId = await insertJob(tx, c.orgId, 'alert', { alertId: alert!.id })
  await tx`update alerts_sent set job_id = ${jobId} where id = ${alert!.id}`
  return jobId
}
