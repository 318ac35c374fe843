import { recordAudit, systemActor } from '../audit/audit.ts'
import { withOrg, type Tx } from '../db.ts'
import type { JobHandler } from '../jobs/runner.ts'
import { failedSend, retryLater, type Mailer } from '../outbound/mailer.ts'

type Stored = {
  id: string
  status: string
  caseId: string | null
  recipients: string[]
  subject: string
  text: string
  html: string | null
  idempotencyKey: string
  details: Record<string, unknown>
}

/**
 * Sending staff mail that was composed and stored when it was claimed (digest_runs,
 * alerts_sent). The stored text and its idempotency key make every attempt identical, so a
 * runner that dies after the provider accepted, or two runners whose leases overlapped, still
 * deliver one message: the provider (or the dev mailbox's unique key) answers the second send
 * with the first. Only the first runner to record the send writes the audit event.
 */
function storedMailJob(kind: StaffMailKind, mailer: Mailer): JobHandler {
  const table = tableOf(kind)
  return async (job, ctx) => {
    const id = String(job.payload.id ?? job.payload.runId ?? job.payload.alertId ?? '')
    const row = await withOrg(ctx.db, job.orgId, (tx) => loadStored(tx, kind, id))
    if (!row || row.status !== 'queued') return // sent by an earlier attempt, or never composed

    let providerId: string
    try {
      const sent = await mailer.send({
        orgId: job.orgId,
        to: row.recipients,
        subject: row.subject,
        text: row.text,
        html: row.html ?? undefined,
        tags: { kind },
        idempotencyKey: row.idempotencyKey,
      })
      providerId = sent.id
    } catch (error) {
      const { message, permanent, giveUp } = failedSend(error, job)
      if (giveUp) {
        await withOrg(ctx.db, job.orgId, async (tx) => {
          await recordGivenUp(tx, kind, job.orgId, row, { message, permanent })
          await ctx.complete(tx)
        })
        return
      }
      await withOrg(ctx.db, job.orgId, (tx) => tx`update ${tx(table)} set last_error = ${message} where id = ${row.id}`)
      throw retryLater(error)
    }

    await withOrg(ctx.db, job.orgId, async (tx) => {
      const [recorded] = await tx`
        update ${tx(table)} set status = 'sent', sent_at = now(), provider_id = ${providerId}, last_error = null
        where id = ${row.id} and status = 'queued' returning id`
      if (recorded) {
        await recordAudit(tx, job.orgId, {
          actor: systemActor,
          action: `${kind}.send`,
          caseId: row.caseId,
          details: { ...row.details, to: row.recipients, providerId },
        })
      }
      await ctx.complete(tx)
    })
  }
}

/** The staff mail stored before sending: the digest, alerts, and a case's internal updates (src/warroom). */
type StaffMailKind = 'digest' | 'alert' | 'internal_update'

const tables = { digest: 'digest_runs', alert: 'alerts_sent', internal_update: 'internal_updates' } as const
const tableOf = (kind: StaffMailKind) => tables[kind]

async function loadStored(tx: Tx, kind: StaffMailKind, id: string): Promise<Stored | undefined> {
  const details = {
    digest: tx`jsonb_build_object('localDate', to_char(local_date, 'YYYY-MM-DD'), 'counts', counts)`,
    alert: tx`jsonb_build_object('kind', kind, 'alertKey', alert_key)`,
    internal_update: tx`jsonb_build_object('updateId', id)`,
  }[kind]
  const [row]: [Stored?] = await tx`
    select id, status, ${kind === 'digest' ? tx`null::uuid` : tx`case_id`} as "caseId", recipients, subject, text_body as text,
           html_body as html, idempotency_key as "idempotencyKey", ${details} as details
    from ${tx(tableOf(kind))} where id = ${id}`
  return row
}

/** A send that will not succeed: the row says failed, and the trail says why. */
async function recordGivenUp(tx: Tx, kind: StaffMailKind, orgId: string, row: Stored, failure: { message: string; permanent: boolean }) {
  const table = tableOf(kind)
  await tx`update ${tx(table)} set status = 'failed', last_error = ${failure.message} where id = ${row.id} and status = 'queued'`
  await recordAudit(tx, orgId, {
    actor: systemActor,
    action: `${kind}.fail`,
    caseId: row.caseId,
    details: { ...row.details, error: failure.message, permanent: failure.permanent },
  })
}

/** kind 'digest_send', payload {runId}. */
export const digestSendJob = (mailer: Mailer) => storedMailJob('digest', mailer)
/** kind 'alert', payload {alertId}. */
export const alertSendJob = (mailer: Mailer) => storedMailJob('alert', mailer)
/** kind 'internal_update', payload {id}: a case's internal status update to its stakeholders. */
export const internalUpdateSendJob = (mailer: Mailer) => storedMailJob('internal_update', mailer)
