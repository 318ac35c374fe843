import { connect, type Socket } from 'node:net'

export type SmtpReply = { code: number; text: string }

/**
 * A bare SMTP client over a socket, enough to hold a real conversation with the listener:
 * `send` writes one command and waits for its (possibly multi-line) reply.
 */
export class SmtpDialog {
  private buffer = ''
  private waiting: ((reply: SmtpReply) => void) | null = null
  private readonly replies: SmtpReply[] = []
  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1')
    socket.on('data', (data: string) => {
      this.buffer += data
      // A reply ends with a line "NNN text"; continuation lines are "NNN-text".
      for (let match; (match = /^((?:\d{3}-[^\r\n]*\r\n)*)(\d{3}) ([^\r\n]*)\r\n/.exec(this.buffer));) {
        this.buffer = this.buffer.slice(match[0].length)
        this.push({ code: Number(match[2]), text: `${match[1]}${match[3]}` })
      }
    })
  }

  static async open(port: number): Promise<{ dialog: SmtpDialog; greeting: SmtpReply }> {
    const socket = connect(port, '127.0.0.1')
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
    const dialog = new SmtpDialog(socket)
    return { dialog, greeting: await dialog.next() }
  }

  private push(reply: SmtpReply) {
    if (this.waiting) {
      const resolve = this.waiting
      this.waiting = null
      resolve(reply)
    } else this.replies.push(reply)
  }

  private next(): Promise<SmtpReply> {
    const ready = this.replies.shift()
    if (ready) return Promise.resolve(ready)
    return new Promise((resolve) => (this.waiting = resolve))
  }

  send(line: string): Promise<SmtpReply> {
    this.socket.write(`${line}\r\n`)
    return this.next()
  }

  /** DATA with dot-stuffing; resolves with the reply to the final ".". */
  async data(message: Uint8Array): Promise<SmtpReply> {
    const go = await this.send('DATA')
    if (go.code !== 354) return go
    const text = Buffer.from(message).toString('latin1').replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..')
    this.socket.write(Buffer.from(`${text.endsWith('\r\n') ? text : `${text}\r\n`}.\r\n`, 'latin1'))
    return this.next()
  }

  async quit(): Promise<void> {
    await this.send('QUIT').catch(() => undefined)
    this.socket.destroy()
  }
}
