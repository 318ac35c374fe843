import { parseArgs } from 'node:util'
import { requireOrg, withDatabase, type Command } from '../cli/command.ts'
import type { Db } from '../db.ts'
import { runJobNow } from '../jobs/runner.ts'
import { createMailer } from '../outbound/mailer.ts'
import { claimDigest, previewDigest } from './digest.ts'
import { digestSendJob } from './send-staff-mail.ts'

async function orgsToRun(db: Db, slug: string | undefined): Promise<{ id: string; slug: string }[]> {
  if (slug) return [await requireOrg(db, slug)]
  return db<{ id: string; slug: string }[]>`select id, slug from orgs order by slug`
}

/**
 * `desk digest [--org SLUG] [--dry-run]`: today's digest now, whatever the hour. --dry-run
 * prints what would be sent and claims nothing. Without it the day's digest is claimed (so the
 * scheduler will not send another today), sent at once, and printed.
 */
export const digestCommand: Command = {
  name: 'digest',
  usage: "digest [--org SLUG] [--dry-run]   send today's digest now (--dry-run: print what would be sent)",
  async run(args) {
    const { values } = parseArgs({ args, options: { org: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } } })
    await withDatabase(async (db, env) => {
      const now = new Date()
      for (const org of await orgsToRun(db, values.org)) {
        if (values['dry-run']) {
          const p = await previewDigest(db, env, org.id, now)
          const verdict = !p.enabled
            ? 'would send nothing: the digest is turned off'
            : !p.needsAttention && !p.whenEmpty
              ? 'would send nothing: nothing needs attention'
              : p.recipients.length === 0
                ? 'would send nothing: no active approver or admin to send it to'
                : `would send to ${p.recipients.join(', ')}`
          console.log(`── ${org.slug} ${p.org.localDate}: ${verdict}\nSubject: ${p.mail.subject}\n\n${p.mail.text}\n`)
          continue
        }
        const claim = await claimDigest(db, env, org.id, now, 'desk digest')
        if (claim.status === 'taken') {
          const [run] = await db<{ status: string; sentAt: Date | null }[]>`
            select status, sent_at as "sentAt" from digest_runs where org_id = ${org.id} and local_date = ${claim.localDate}::date`
          console.log(
            `── ${org.slug} ${claim.localDate}: already done today (${run?.status ?? 'claimed'}${run?.sentAt ? ` at ${run.sentAt.toISOString()}` : ''})`,
          )
          continue
        }
        if (claim.status === 'skipped') {
          console.log(`── ${org.slug} ${claim.localDate}: nothing sent (${claim.reason})`)
          continue
        }
        await runJobNow({ db, env, handlers: { digest_send: digestSendJob(createMailer(db, env)) }, log: () => {} }, claim.jobId)
        const [run] = await db<
          { status: string; lastError: string | null }[]
        >`select status, last_error as "lastError" from digest_runs where id = ${claim.runId}`
        const verdict =
          run?.status === 'sent'
            ? `sent to ${claim.recipients.join(', ')}`
            : run?.status === 'failed'
              ? `the send failed: ${run.lastError}`
              : `queued; the job runner will retry the send (${run?.lastError ?? 'not sent yet'})`
        console.log(`── ${org.slug} ${claim.localDate}: ${verdict}\nSubject: ${claim.mail.subject}\n\n${claim.mail.text}\n`)
      }
    })
  },
}
