import { createServer, type Server, type Socket } from 'node:net'
import type { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket'

type Item = { handlerId: number; message: Uint8Array; onData: (data: Uint8Array) => void; resolve: (n: number) => void; reject: (e: unknown) => void }

// Frontend messages of the extended query protocol: from the first of them to Sync, the unnamed
// statement and portal belong to one client, so nobody else may run in between.
const EXTENDED = new Set(['P', 'B', 'D', 'E', 'C', 'H', 'F'])

/**
 * PGlite is one backend session shared by every socket. pglite-socket's own queue keeps a
 * transaction's messages together, but not an autocommit Parse/Bind/Execute/Sync batch, so two
 * clients (the server and a `desk` command) could clobber each other's unnamed portal ("portal
 * does not exist"). This queue also holds the session for a client from its first extended
 * message until its Sync, and for the length of any transaction it opens.
 */
export class SerialQueryQueue {
  private queue: Item[] = []
  private processing = false
  private owner: number | null = null // the client the session is held for, if any
  private last: number | null = null

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject })
      void this.process()
    })
  }

  private holder(): number | null {
    return this.owner ?? (this.db.isInTransaction() ? this.last : null)
  }

  private async process(): Promise<void> {
    if (this.processing) return
    this.processing = true
    try {
      while (this.queue.length) {
        const holder = this.holder()
        const index = holder === null ? 0 : this.queue.findIndex((item) => item.handlerId === holder)
        if (index === -1) break // the holder's next message has not arrived yet
        const [item] = this.queue.splice(index, 1) as [Item]
        const type = String.fromCharCode(item.message[0] ?? 0)
        let bytes = 0
        try {
          await this.db.runExclusive(() => this.db.execProtocolRawStream(item.message, { onRawData: (data) => { bytes += data.length; item.onData(data) } }))
          item.resolve(bytes)
        } catch (error) {
          item.reject(error)
        }
        this.last = item.handlerId
        if (EXTENDED.has(type)) this.owner = item.handlerId
        else if (type === 'S' || type === 'Q' || type === 'X') this.owner = null
      }
    } finally {
      this.processing = false
    }
  }

  getQueueLength(): number {
    return this.queue.length
  }

  clearQueueForHandler(handlerId: number): void {
    this.queue = this.queue.filter((item) => {
      if (item.handlerId !== handlerId) return true
      item.reject(new Error('Handler disconnected'))
      return false
    })
  }

  /** A client that vanished mid-batch or mid-transaction must not hold the session forever. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.holder() !== handlerId) return
    if (this.db.isInTransaction()) await this.db.exec('ROLLBACK')
    this.owner = null
    this.last = null
    await this.process()
  }
}

/** A loopback Postgres socket for PGlite, with the queue above; stop() closes every client. */
export async function servePGlite(db: PGlite, options: { host: string; port: number }): Promise<{ port: number; stop: () => Promise<void> }> {
  await db.waitReady
  const queryQueue = new SerialQueryQueue(db)
  const handlers = new Set<PGLiteSocketHandler>()
  const server: Server = createServer((socket: Socket) => {
    // The handler only calls enqueue, clearQueueForHandler and clearTransactionIfNeeded.
    const handler = new PGLiteSocketHandler({ queryQueue: queryQueue as never, closeOnDetach: true } as never)
    handlers.add(handler)
    handler.addEventListener('close', () => handlers.delete(handler))
    handler.addEventListener('error', () => handlers.delete(handler))
    handler.attach(socket).catch(() => socket.destroy())
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve())
  })
  const { port } = server.address() as { port: number }
  return {
    port,
    stop: async () => {
      for (const handler of handlers) await handler.detach(true)
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
