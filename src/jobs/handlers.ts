import { alertSendJob, digestSendJob, internalUpdateSendJob } from '../digest/send-staff-mail.ts'
import { draftJob } from '../drafts/job.ts'
import { caseEventJob } from '../events/dispatch.ts'
import { chatNotifyJob } from '../integrations/chat/deliver.ts'
import type { Mailer } from '../outbound/mailer.ts'
import { sendJob } from '../outbound/send.ts'
import { retentionJob } from '../retention/retention.ts'
import { webhookDeliveryJob } from '../webhooks/deliver.ts'
import type { JobHandlers } from './runner.ts'

/**
 * Every job kind this app runs, by name. A runner claims only the kinds it has a handler for, so
 * an older process never takes (and fails) a kind added by a newer one.
 */
export function jobHandlers(deps: { mailer?: Mailer } = {}): JobHandlers {
  return {
    draft: draftJob,
    case_event: caseEventJob,
    chat_notify: chatNotifyJob,
    webhook_delivery: webhookDeliveryJob,
    retention: retentionJob,
    // Without a mailer (a drafting-only runner) send jobs are left for a runner that has one.
    ...(deps.mailer
      ? {
          send: sendJob(deps.mailer),
          digest_send: digestSendJob(deps.mailer),
          alert: alertSendJob(deps.mailer),
          internal_update: internalUpdateSendJob(deps.mailer),
        }
      : {}),
  }
}
