// The `case_event` job: one event, fanned out to every sink the organization has set up (Slack,
// Teams, outgoing webhooks). A sink only queues its own delivery jobs here, in this transaction,
// so one slow or failing destination is retried alone and never holds back the others.
import { caseLabel } from '../cases/terms.ts'
import { withOrg, type Tx } from '../db.ts'
import type { JobHandler } from '../jobs/runner.ts'
import { caseUrl } from '../digest/sections.ts'
import { caseEventTypes, type CaseEvent, type CaseSummary } from './events.ts'
import { eventSinks } from './sinks.ts'

export async function loadCaseSummary(tx: Tx, publicUrl: string, caseId: string): Promise<CaseSummary | null> {
  const [row] = await tx<(Omit<CaseSummary, 'label' | 'url' | 'deadline'> & { number: number; deadline: Date | null })[]>`
    select c.id, c.number, c.severity, c.source, c.status, c.customer_name as "customerName", c.customer_email as "customerEmail",
           left(regexp_replace(c.subject, '\\s+', ' ', 'g'), 140) as subject, coalesce(nullif(u.name, ''), u.email) as "ownerName",
           c.next_deadline_at as deadline,
           case when c.next_deadline_at is null then null
                else case_clock_state(c.next_deadline_at, c.next_at_risk_at, now()) end as "clockState"
    from cases c left join app_users u on u.id = c.owner_id where c.id = ${caseId}`
  if (!row) return null
  const { number, deadline, ...rest } = row
  return { ...rest, label: caseLabel(number), deadline: deadline?.toISOString() ?? null, url: caseUrl(publicUrl, caseId) }
}

export const caseEventJob: JobHandler = async (job, ctx) => {
  const event = job.payload as CaseEvent
  await withOrg(ctx.db, job.orgId, async (tx) => {
    const summary = (caseEventTypes as readonly string[]).includes(event.type)
      ? await loadCaseSummary(tx, ctx.env.PUBLIC_URL, event.caseId)
      : null
    // A case merged away or an unknown type (a newer process's event): nothing to tell.
    if (summary) for (const sink of eventSinks) await sink.fanOut(tx, { orgId: job.orgId, env: ctx.env }, event, summary)
    await ctx.complete(tx)
  })
}
