import { Resend } from 'resend'
import { sha256Hex } from '../auth/crypto.ts'
import { withOrg, type Db } from '../db.ts'
import type { Env } from '../env.ts'
import { AppError } from '../http/errors.ts'
import type { Job } from '../jobs/queries.ts'
import { RetryAt } from '../jobs/runner.ts'
import { checkOutboundMail, type CheckedMail } from './headers.ts'
import { insertHeldMailOnce } from './queries.ts'
import type { OutboundMail } from './types.ts'

export type { OutboundMail } from './types.ts'

/** The one way mail leaves the desk. `kind` tells the app whether the dev mailbox page exists. */
export type Mailer = { kind: 'resend' | 'dev'; send: (mail: OutboundMail) => Promise<{ id: string }> }

export const defaultMailFrom = 'Escalation Desk <desk@example.com>'

/**
 * A refused send, with what a retry policy needs: 429 and 5xx (and no answer at all) are worth
 * retrying, honouring retry-after; any other refusal is permanent, and so is mail the desk
 * itself refuses to hand on (`permanent`): sending it again would be refused again.
 */
export class MailSendError extends AppError {
  readonly statusCode: number | null
  readonly retryAfterSeconds: number | null
  readonly permanent: boolean
  constructor(message: string, statusCode: number | null, retryAfterSeconds: number | null, options: { permanent?: boolean } = {}) {
    super('UPSTREAM_FAILED', message)
    this.name = 'MailSendError'
    this.statusCode = statusCode
    this.retryAfterSeconds = retryAfterSeconds
    this.permanent = options.permanent ?? false
  }
  get retryable(): boolean {
    return !this.permanent && (this.statusCode === null || this.statusCode === 429 || this.statusCode >= 500)
  }
}

/** What a failed send means for the job that tried it. */
export type FailedSend = { message: string; permanent: boolean; giveUp: boolean }

/**
 * Give up on a refusal that would only repeat (permanent) and at the job's last attempt; any
 * other failure keeps the job and runs it again (see retryLater).
 */
export function failedSend(error: unknown, job: Pick<Job, 'attempts' | 'maxAttempts'>): FailedSend {
  const permanent = error instanceof MailSendError && !error.retryable
  return { message: (error as Error).message, permanent, giveUp: permanent || job.attempts >= job.maxAttempts }
}

/** What a send job throws to be run again: at the provider's retry-after when it named one, else with backoff. */
export function retryLater(error: unknown): unknown {
  if (error instanceof MailSendError && error.retryAfterSeconds !== null) {
    return new RetryAt(error.message, new Date(Date.now() + error.retryAfterSeconds * 1000))
  }
  return error
}

/**
 * Every transport sends through this: the sender filled in, then the headers checked
 * (src/outbound/headers.ts), so a header value with a line break never reaches a provider or
 * the dev mailbox, whoever composed the mail.
 */
function checkedTransport(kind: Mailer['kind'], defaultFrom: string, deliver: (mail: CheckedMail) => Promise<{ id: string }>): Mailer {
  return {
    kind,
    async send(mail) {
      const checked = checkOutboundMail({ ...mail, from: mail.from ?? defaultFrom })
      if (!checked.ok) throw new MailSendError(`Mail not sent: ${checked.reason}.`, null, null, { permanent: true })
      return deliver(checked.mail)
    },
  }
}

function retryAfter(headers: Record<string, string> | null | undefined): number | null {
  const value = headers?.['retry-after']
  if (!value) return null
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds)
  const at = Date.parse(value)
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - Date.now()) / 1000)) : null
}

/**
 * Resend through its SDK. `baseUrl` points the SDK elsewhere (tests run a local server that speaks
 * Resend's API); unset, the SDK reads RESEND_BASE_URL itself or uses api.resend.com.
 */
export function createResendMailer(options: { apiKey: string; baseUrl?: string; from?: string }): Mailer {
  const resend = new Resend(options.apiKey, { baseUrl: options.baseUrl })
  return checkedTransport('resend', options.from ?? defaultMailFrom, async (mail) => {
    const { data, error, headers } = await resend.emails.send(
      {
        from: mail.from,
        to: mail.to,
        ...(mail.cc?.length ? { cc: mail.cc } : {}),
        replyTo: mail.replyTo,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        headers: mail.headers,
        attachments: mail.attachments?.map((f) => ({
          filename: f.filename,
          contentType: f.contentType,
          content: Buffer.from(f.content.buffer, f.content.byteOffset, f.content.byteLength),
        })),
        tags: mail.tags ? Object.entries(mail.tags).map(([name, value]) => ({ name, value })) : undefined,
      },
      mail.idempotencyKey ? { idempotencyKey: mail.idempotencyKey } : {},
    )
    if (error || !data) {
      throw new MailSendError(
        `Resend refused the message: ${error?.message ?? 'no id returned'}`,
        error?.statusCode ?? null,
        retryAfter(headers),
      )
    }
    return { id: data.id }
  })
}

/** Keeps mail in the dev_mailbox table (shown at /dev/mailbox and by `desk mailbox`). */
export function createDevMailer(db: Db, options: { from?: string } = {}): Mailer {
  return checkedTransport('dev', options.from ?? defaultMailFrom, async (mail) => {
    const row = {
      orgId: mail.orgId,
      to: mail.to,
      cc: mail.cc ?? [],
      attachments: await Promise.all(
        (mail.attachments ?? []).map(async (f) => ({
          filename: f.filename,
          contentType: f.contentType,
          size: f.content.byteLength,
          sha256: await sha256Hex(f.content),
        })),
      ),
      from: mail.from,
      replyTo: mail.replyTo ?? null,
      subject: mail.subject,
      text: mail.text,
      html: mail.html ?? null,
      headers: mail.headers ?? {},
      tags: mail.tags ?? {},
      idempotencyKey: mail.idempotencyKey ?? null,
    }
    // Org mail goes through RLS like any tenant write; mail with no org can only be the owner's.
    const id = mail.orgId ? await withOrg(db, mail.orgId, (tx) => insertHeldMailOnce(tx, row)) : await insertHeldMailOnce(db, row)
    return { id }
  })
}

/** Resend when RESEND_API_KEY is set, else the dev mailbox. */
export function createMailer(db: Db, env: Pick<Env, 'RESEND_API_KEY' | 'RESEND_BASE_URL' | 'MAIL_FROM'>): Mailer {
  if (env.RESEND_API_KEY) return createResendMailer({ apiKey: env.RESEND_API_KEY, baseUrl: env.RESEND_BASE_URL, from: env.MAIL_FROM })
  return createDevMailer(db, { from: env.MAIL_FROM })
}
