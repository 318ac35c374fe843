// A mail as the desk hands it to the mailer, before headers.ts checks it.

export type OutboundMail = {
  orgId: string | null
  to: string | string[]
  cc?: string[]
  from?: string
  replyTo?: string
  subject: string
  text: string
  html?: string
  headers?: Record<string, string>
  tags?: Record<string, string>
  attachments?: MailAttachment[]
  /** The same key twice sends once (Resend's Idempotency-Key; the dev mailbox's unique column). */
  idempotencyKey?: string
}

/** A file sent with a mail, as the provider gets it. */
export type MailAttachment = { filename: string; contentType: string; content: Uint8Array }
