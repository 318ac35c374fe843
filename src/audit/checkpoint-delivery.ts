import { withOrg, type Db } from '../db.ts'
import type { Mailer } from '../outbound/mailer.ts'
import { auditCheckpointMail } from '../../views/mail/audit-checkpoint.tsx'
import type { AuditCheckpoint } from './checkpoint.ts'

// A checkpoint is only worth something where the database's superuser cannot reach it: an
// admin's mailbox, a log sink, another machine. These are the two ways the desk sends one out.

export type Delivery = { ok: true; to: string[] } | { ok: false; reason: string }

const postTimeoutMs = 10_000

/** POSTs the checkpoint (the same JSON the command prints) to a URL that keeps it. */
export async function postCheckpoint(url: string, checkpoint: AuditCheckpoint): Promise<Delivery> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(checkpoint),
      // A redirect could carry the document somewhere the operator did not name: not followed,
      // so it counts as a refusal ('manual': Workers' fetch has no 'error' mode).
      redirect: 'manual',
      signal: AbortSignal.timeout(postTimeoutMs),
    })
    await response.body?.cancel()
    if (!response.ok) return { ok: false, reason: `${url} answered ${response.status}` }
    return { ok: true, to: [url] }
  } catch (error) {
    return { ok: false, reason: `${url}: ${(error as Error).message}` }
  }
}

async function listAdminEmails(db: Db, orgId: string): Promise<{ id: string; email: string }[]> {
  return withOrg(
    db,
    orgId,
    (tx) => tx<{ id: string; email: string }[]>`
    select id, email from app_users where role = 'admin' and disabled_at is null order by email`,
  )
}

/** Mails the checkpoint to each active admin of the org, one message each (idempotent per admin). */
export async function mailCheckpoint(db: Db, mailer: Mailer, checkpoint: AuditCheckpoint, orgName: string): Promise<Delivery> {
  const admins = await listAdminEmails(db, checkpoint.org.id)
  if (admins.length === 0) return { ok: false, reason: `${checkpoint.org.slug} has no active admin to mail it to` }
  const mail = await auditCheckpointMail(checkpoint, orgName)
  for (const admin of admins) {
    try {
      await mailer.send({
        orgId: checkpoint.org.id,
        to: admin.email,
        ...mail,
        idempotencyKey: `audit-checkpoint/${checkpoint.org.id}/${checkpoint.seq}/${checkpoint.takenAt}/${admin.id}`,
      })
    } catch (error) {
      return { ok: false, reason: `mail to ${admin.email}: ${(error as Error).message}` }
    }
  }
  return { ok: true, to: admins.map((a) => a.email) }
}
