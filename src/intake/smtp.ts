import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server'
import { isDatabaseUnavailable, type Db } from '../db.ts'
import type { Analyzer } from './analyze.ts'
import type { ModelEnv } from './model.ts'
import { findOrgByRecipient } from './routing.ts'
import { receiveMail } from './webhooks/receive.ts'

export type SmtpListener = { port: number; close: () => Promise<void> }

/** An SMTP reply code carried by an error (smtp-server sends `responseCode` with the message). */
const reply = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code })

const temporaryFailure = (error: unknown) => {
  // 4xx: the sending MTA keeps the message and retries, so nothing is lost while we are down.
  if (!isDatabaseUnavailable(error)) console.error('smtp: intake failed', error)
  return reply(451, '4.3.0 Temporary failure storing the message, please retry later')
}

/**
 * `desk smtp`: receives mail directly (behind an MTA, or as the MX of a test domain) and reduces
 * it to the same intake as the webhooks, envelope recipients passed as the envelope. A message is
 * accepted (250) only after its raw bytes are durable; the size limit is announced in EHLO and
 * enforced while reading. Recipients no org receives at are refused at RCPT, so we never accept
 * mail we cannot route, and never bounce it later (no backscatter).
 */
export async function startSmtpListener(db: Db, options: ListenerOptions): Promise<SmtpListener> {
  // The org of each transaction, keyed by its envelope: smtp-server makes a new envelope on
  // RSET and after DATA, so the next transaction starts unrouted without our bookkeeping.
  const orgOf = new WeakMap<object, string>()
  const server = new SMTPServer({
    size: options.maxBytes,
    authOptional: true,
    // No TLS certificate is configured here: an MTA or proxy in front does TLS, or it is local.
    disabledCommands: ['AUTH', 'STARTTLS'],
    banner: 'Escalation Desk',
    logger: false,
    maxClients: 100,

    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      routeRecipient(db, orgOf, address, session, callback)
    },

    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void) {
      receiveData(db, options, stream, session, callback)
    },
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  server.on('error', (error) => console.error('smtp:', error.message))
  const address = server.server.address()
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

type ListenerOptions = { port: number; host: string; maxBytes: number; analyze?: Analyzer; env?: ModelEnv }

/** RCPT: a recipient no org receives at is refused now, so nothing unroutable is accepted. */
function routeRecipient(
  db: Db,
  orgOf: WeakMap<object, string>,
  address: SMTPServerAddress,
  session: SMTPServerSession,
  callback: (err?: Error | null) => void,
) {
  findOrgByRecipient(db, [address.address])
    .then((org) => {
      if (!org) return callback(reply(550, `5.1.1 No mailbox here for <${address.address}>`))
      // One org per transaction: a second org's recipient is deferred, and the client sends
      // it again in a transaction of its own (RFC 5321 4.5.3.1.10 allows 452 for this).
      const current = orgOf.get(session.envelope)
      if (current && current !== org.id) return callback(reply(452, '4.5.3 Too many recipients for one transaction, send separately'))
      orgOf.set(session.envelope, org.id)
      callback()
    })
    .catch((error: unknown) => callback(temporaryFailure(error)))
}

/** DATA: read within the size limit, then answered 250 only once intake has stored the raw bytes. */
function receiveData(
  db: Db,
  options: ListenerOptions,
  stream: SMTPServerDataStream,
  session: SMTPServerSession,
  callback: (err?: Error | null, message?: string) => void,
) {
  const chunks: Buffer[] = []
  let size = 0
  stream.on('data', (chunk: Buffer) => {
    size += chunk.length
    // Past the limit, keep draining (the protocol needs the whole DATA) but stop holding it.
    if (size <= options.maxBytes) chunks.push(chunk)
  })
  stream.on('end', () => {
    if (stream.sizeExceeded || size > options.maxBytes) {
      return callback(reply(552, `5.3.4 Message exceeds the maximum size of ${options.maxBytes} bytes`))
    }
    const raw = new Uint8Array(Buffer.concat(chunks))
    const envelope = {
      from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
      to: session.envelope.rcptTo.map((r) => r.address),
      remoteAddress: session.remoteAddress,
    }
    receiveMail(db, { raw, provider: 'smtp', envelope, analyze: options.analyze, env: options.env })
      .then((outcome) => callback(null, `2.0.0 ${outcome.status}${outcome.case ? ` ${outcome.case}` : ''}`))
      .catch((error: unknown) => callback(temporaryFailure(error)))
  })
}
