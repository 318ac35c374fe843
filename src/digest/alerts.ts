import { caseLabel } from '../cases/terms.ts'
import { withOrg, type Db, type Tx } from '../db.ts'
import type { Env } from '../env.ts'
import { insertJob } from '../jobs/queries.ts'
import { duration, localTime, oneLine } from './format.ts'
import { alertMail } from '../../views/mail/alert.tsx'
import { caseUrl } from './sections.ts'
import { alertSettingKeys, type AlertKind } from './settings.ts'
import { approverEmails, loadAlertCase, type AlertCase, type AlertClaim } from './alert-case.ts'
import { enqueueChainSteps } from '../escalation/scan.ts'

export type { AlertClaim } from './alert-case.ts'

// Immediate alerts, found by a scan rather than hooks in every code path that can cause them:
// whatever made a case SEV-1, at risk or its reply fail (mail, form, CSV, a severity change, a
// clock running down with nobody touching the case), the next scheduler tick sees it. Each
// alert is a row in alerts_sent under a unique key, claimed in the same transaction as its
// send job, so it goes out once however many schedulers scan. A clock running down (at risk,
// breached, a missed update) is the escalation chain's: src/escalation/scan.ts, same scan.

/** The immediate alerts this file composes (at_risk is the escalation chain's first step). */
type ImmediateKind = Exclude<AlertKind, 'at_risk'>
export type AlertCandidate = { orgId: string; kind: ImmediateKind; alertKey: string; caseId: string; outboxId: string | null }

/**
 * What deserves an alert at `now`, across orgs (owner connection), not yet claimed:
 *  - new_sev1: an open SEV-1 case that arrived, or was raised to SEV-1, in the last 24 hours
 *    (CSV imports excepted: a bulk load is not news). → approvers and admins.
 *  - send_failed: an approved reply that failed for good in the last 7 days. → owner, approvers, admins.
 * The windows keep a first start (or a long outage) from alerting about old news the digest covers.
 */
export async function findAlertCandidates(db: Db, now: Date, orgIds: string[] | null = null): Promise<AlertCandidate[]> {
  const enabled = (kind: ImmediateKind) => db`o.settings -> ${alertSettingKeys[kind]} is distinct from 'false'::jsonb`
  const scope = orgIds ? db`and o.id = any(${orgIds}::uuid[])` : db``
  const unclaimed = (key: ReturnType<typeof db>) =>
    db`not exists (select 1 from alerts_sent a where a.org_id = o.id and a.alert_key = ${key})`
  return db<AlertCandidate[]>`
    select o.id as "orgId", 'new_sev1' as kind, 'new_sev1/' || c.id as "alertKey", c.id as "caseId", null::uuid as "outboxId"
    from cases c join orgs o on o.id = c.org_id
    where c.severity = 'SEV-1' and c.status not in ('resolved', 'closed') and c.source <> 'csv'
      and greatest(c.created_at, c.severity_changed_at) > ${now}::timestamptz - interval '24 hours'
      and ${enabled('new_sev1')} ${scope} and ${unclaimed(db`'new_sev1/' || c.id`)}
    union all
    select o.id, 'send_failed', 'send_failed/' || x.id, x.case_id, x.id
    from outbox x join orgs o on o.id = x.org_id
    where x.status = 'failed' and x.created_at > ${now}::timestamptz - interval '7 days'
      and ${enabled('send_failed')} ${scope} and ${unclaimed(db`'send_failed/' || x.id`)}
    order by 1, 3`
}

/**
 * Marks the SEV-1 alerts of these cases as decided already: skipped, with the reason. A bulk
 * load of a team's spreadsheet is not news, whatever source its rows name; the alert scan then
 * finds them claimed. Same transaction as the cases, so they never alert in between.
 */
export async function skipNewSev1Alerts(tx: Tx, orgId: string, caseIds: string[], reason: string): Promise<number> {
  if (caseIds.length === 0) return 0
  const rows = await tx`
    insert into alerts_sent (org_id, kind, alert_key, case_id, idempotency_key, status, reason)
    select ${orgId}, 'new_sev1', 'new_sev1/' || c.id, c.id, 'alert/' || ${orgId} || '/new_sev1/' || c.id, 'skipped', ${reason}
    from cases c where c.id = any(${caseIds}::uuid[]) and c.severity = 'SEV-1' and c.status not in ('resolved', 'closed')
    on conflict do nothing returning id`
  return rows.length
}

type Composed = { recipients: string[]; subject: string; lines: string[] }

async function compose(tx: Tx, c: AlertCandidate, kase: AlertCase, now: Date): Promise<Composed> {
  const label = caseLabel(kase.number)
  const subject = oneLine(kase.subject, 80)
  const customer = kase.customerName || kase.customerEmail || 'unknown customer'
  const owner = kase.ownerName ? `Owner: ${kase.ownerName}` : 'No owner yet: assign one.'
  switch (c.kind) {
    case 'new_sev1':
      return {
        recipients: await approverEmails(tx),
        subject: `SEV-1: ${label} ${subject}`,
        lines: [
          `A SEV-1 escalation is open: ${label}, “${subject}”, from ${customer}.`,
          owner,
          kase.nextDeadlineAt
            ? `The ${kase.clock} is due ${localTime(kase.nextDeadlineAt, now, kase.timeZone)} (in ${duration(kase.nextDeadlineAt.getTime() - now.getTime())}).`
            : '',
        ],
      }
    case 'send_failed': {
      const [outbox] = await tx<
        { error: string | null; to: string[] }[]
      >`select last_error as error, to_emails as "to" from outbox where id = ${c.outboxId}`
      const recipients = [...new Set([...(kase.ownerActive && kase.ownerEmail ? [kase.ownerEmail] : []), ...(await approverEmails(tx))])]
      return {
        recipients,
        subject: `Reply not delivered: ${label} ${subject}`,
        lines: [
          `The approved reply on ${label} (${kase.severity}), “${subject}”, to ${outbox?.to.join(', ') ?? customer}, failed for good and was not sent.`,
          `Error: ${oneLine(outbox?.error ?? 'unknown', 200)}`,
          owner,
          'Check the address, then approve a new version to send it again.',
        ],
      }
    }
  }
}

/**
 * Claims one org's alert candidates in one transaction: each row inserted (or found taken),
 * composed, and its send job queued with it. Text is stored so every retry sends the same mail.
 */
export async function claimAlerts(
  db: Db,
  env: Pick<Env, 'PUBLIC_URL'>,
  orgId: string,
  candidates: AlertCandidate[],
  now: Date,
): Promise<AlertClaim[]> {
  return withOrg(db, orgId, async (tx) => {
    const claims: AlertClaim[] = []
    for (const c of candidates) {
      const [row] = await tx<{ id: string }[]>`
        insert into alerts_sent (org_id, kind, alert_key, case_id, idempotency_key)
        values (${orgId}, ${c.kind}, ${c.alertKey}, ${c.caseId}, ${`alert/${orgId}/${c.alertKey}`})
        -- either unique index (the key, or the idempotency key derived from it) means: already queued
        on conflict do nothing returning id`
      if (!row) {
        claims.push({ orgId, alertKey: c.alertKey, kind: c.kind, status: 'taken' })
        continue
      }
      const kase = await loadAlertCase(tx, c.caseId)
      const composed = kase ? await compose(tx, c, kase, now) : null
      if (!kase || !composed || composed.recipients.length === 0) {
        await tx`update alerts_sent set status = 'skipped', reason = 'nobody to send it to' where id = ${row.id}`
        claims.push({ orgId, alertKey: c.alertKey, kind: c.kind, status: 'skipped', alertId: row.id })
        continue
      }
      const mail = await alertMail({
        subject: composed.subject,
        lines: composed.lines.filter(Boolean),
        caseLabel: caseLabel(kase.number),
        caseUrl: caseUrl(env.PUBLIC_URL, c.caseId),
        orgName: kase.orgName,
        settingsUrl: `${env.PUBLIC_URL.replace(/\/+$/, '')}/admin/digest`,
      })
      const jobId = await insertJob(tx, orgId, 'alert', { alertId: row.id })
      await tx`
        update alerts_sent set recipients = ${composed.recipients}, subject = ${mail.subject}, text_body = ${mail.text}, html_body = ${mail.html}, job_id = ${jobId}
        where id = ${row.id}`
      claims.push({ orgId, alertKey: c.alertKey, kind: c.kind, status: 'queued', alertId: row.id, jobId, recipients: composed.recipients })
    }
    return claims
  })
}

/** The scheduler's half of alerts: find, then claim per org; then the escalation chains' steps. */
export async function enqueueAlerts(
  db: Db,
  env: Pick<Env, 'PUBLIC_URL' | 'LINK_SECRET'>,
  now: Date,
  orgIds: string[] | null = null,
): Promise<AlertClaim[]> {
  const candidates = await findAlertCandidates(db, now, orgIds)
  const byOrg = new Map<string, AlertCandidate[]>()
  for (const c of candidates) byOrg.set(c.orgId, [...(byOrg.get(c.orgId) ?? []), c])
  const claims: AlertClaim[] = []
  for (const [orgId, list] of byOrg) claims.push(...(await claimAlerts(db, env, orgId, list, now)))
  claims.push(...(await enqueueChainSteps(db, env, now, orgIds)))
  return claims
}
