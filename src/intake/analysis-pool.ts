// Node only (worker_threads): never imported by src/app.ts or anything it imports, because the
// same app runs on Cloudflare Workers. The Node entry points create the pool and pass its
// `analyze` down (AppDeps.analyze, deliver(), intake).
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { withLanguage, type Analysis, type Analyzer } from './analyze.ts'
import type { OrgContext } from './org-context.ts'
import { defaultLimits, type Limits } from './parse.ts'

export type AnalysisPool = {
  /** Same contract as analyzeMessage; a message over the time or memory limit is a failed analysis. */
  analyze: Analyzer
  /**
   * Starts one worker now, if none is running, so the first message does not wait for it (its
   * start and warm-up take about half a second). A server calls it once it is ready.
   */
  warm(): void
  /** Stops the workers; analyses still running or queued reject (their raw rows stay `received`). */
  close(): Promise<void>
}

export type AnalysisPoolOptions = {
  /** Worker threads, started on first use. Default: one per spare core, 1 to 4. */
  size?: number
  /** Hard limit per message, in ms. Default: the message's `limits.parseTimeoutMs` (5 s). */
  timeLimitMs?: number
  /** V8 heap of each worker, in MB. */
  memoryLimitMb?: number
}

// The V8 heap of a worker (strings and objects; decoded attachments live outside it). Measured:
// a 24 MB base64 attachment, 20 MB of text or HTML, 100,000 header lines all analyse within 128
// MB. Past the limit the worker dies alone, not the server, and a lower limit also makes an idle
// worker give memory back sooner.
const DEFAULT_MEMORY_MB = 256

// Plain JavaScript, so it loads without a build step wherever the pool runs (npm start, the desk
// CLI, vitest): it registers tsx and then imports the TypeScript pipeline.
const workerEntry = new URL('./analysis-worker.mjs', import.meta.url)

type Task = { raw: Uint8Array; org: OrgContext; limits: Limits; resolve(analysis: Analysis): void; reject(error: Error): void }
type Slot = { worker: Worker; ready: boolean; gone: boolean; task: Task | null; timer?: ReturnType<typeof setTimeout> }

/**
 * Runs analyzeMessage (parse, unwrap, classify: everything that reads untrusted MIME) on worker
 * threads, so no message can freeze the event loop that serves every organization. Each message
 * gets a hard time limit: past it the worker is terminated (synchronous code cannot be
 * interrupted any other way) and a fresh one starts for the next message, and the message is
 * answered `{ ok: false, reason }`, which intake turns into a quarantine with its raw bytes kept.
 */
export function createAnalysisPool(options: AnalysisPoolOptions = {}): AnalysisPool {
  const pool: Pool = {
    size: Math.max(1, options.size ?? Math.min(4, availableParallelism() - 1)),
    memoryMb: options.memoryLimitMb ?? DEFAULT_MEMORY_MB,
    timeLimitMs: options.timeLimitMs,
    slots: [],
    queue: [],
    closed: false,
  }
  return {
    analyze(raw, org, limits = defaultLimits) {
      if (pool.closed) return Promise.reject(new Error('the analysis pool is closed'))
      const read = new Promise<Analysis>((resolve, reject) => {
        pool.queue.push({ raw, org, limits, resolve, reject })
        dispatch(pool)
      })
      return read.then(withLanguage)
    },
    warm() {
      if (!pool.closed && pool.slots.length === 0) spawn(pool)
    },
    close: () => closePool(pool),
  }
}

/** The pool's state: its workers (slots) and the messages waiting for one. */
type Pool = { size: number; memoryMb: number; timeLimitMs?: number; slots: Slot[]; queue: Task[]; closed: boolean }

function spawn(pool: Pool) {
  // execArgv: [] so the worker never inherits the parent's loader flags (vitest's, or a second
  // --import tsx): the entry registers tsx itself.
  const worker = new Worker(workerEntry, { execArgv: [], resourceLimits: { maxOldGenerationSizeMb: pool.memoryMb } })
  const slot: Slot = { worker, ready: false, gone: false, task: null }
  worker.on('message', (message: { type: 'ready' } | { type: 'result'; result: Analysis }) => {
    if (message.type === 'ready') {
      slot.ready = true
      slot.worker.unref()
    } else finish(slot, message.result)
    dispatch(pool)
  })
  worker.on('error', (error: Error) => lose(pool, slot, error))
  worker.on('exit', (code) => lose(pool, slot, new Error(`the analysis worker exited with code ${code}`)))
  pool.slots.push(slot)
}

function dispatch(pool: Pool) {
  for (const slot of pool.slots) {
    if (pool.queue.length === 0) return
    if (slot.ready && !slot.gone && !slot.task) run(pool, slot, pool.queue.shift()!)
  }
  const starting = pool.slots.filter((s) => !s.ready).length
  for (let n = starting; n < pool.queue.length && pool.slots.length < pool.size && !pool.closed; n++) spawn(pool)
}

function run(pool: Pool, slot: Slot, task: Task) {
  slot.task = task
  slot.worker.ref()
  // A copy in an ArrayBuffer of its own, transferred: the caller keeps its bytes, nothing is
  // copied twice, and a view into a shared buffer (Node pools small Buffers) is never moved.
  const raw = new Uint8Array(task.raw.byteLength)
  raw.set(task.raw)
  slot.worker.postMessage({ raw, org: task.org, limits: task.limits }, [raw.buffer])
  const ms = pool.timeLimitMs ?? task.limits.parseTimeoutMs
  slot.timer = setTimeout(() => {
    retire(pool, slot)
    void slot.worker.terminate()
    task.resolve({ ok: false, reason: `parsing took longer than ${ms} ms` })
    dispatch(pool)
  }, ms)
}

function finish(slot: Slot, result: Analysis) {
  const task = slot.task
  clearTimeout(slot.timer)
  slot.task = null
  // An idle worker never keeps the process alive (the CLI exits when its work is done); one
  // that is starting or working does, since someone awaits it.
  slot.worker.unref()
  task?.resolve(result)
}

/** Takes a slot out of the pool; its running task, if any, is the caller's to settle. */
function retire(pool: Pool, slot: Slot) {
  slot.gone = true
  clearTimeout(slot.timer)
  slot.task = null
  pool.slots.splice(pool.slots.indexOf(slot), 1)
}

function lose(pool: Pool, slot: Slot, error: Error) {
  if (slot.gone) return
  const { task, ready } = slot
  retire(pool, slot)
  if (task) task.resolve({ ok: false, reason: failureReason(error, pool.memoryMb) })
  // A worker that never started is our problem, not the message's: callers get an error
  // (a 5xx, so the sender retries) instead of quarantining every message.
  if (!ready) for (const queued of pool.queue.splice(0)) queued.reject(new Error(`the analysis worker did not start: ${error.message}`))
  dispatch(pool)
}

async function closePool(pool: Pool) {
  pool.closed = true
  const stopping = new Error('the analysis pool was closed')
  for (const task of pool.queue.splice(0)) task.reject(stopping)
  const running = [...pool.slots]
  for (const slot of running) {
    const task = slot.task
    retire(pool, slot)
    task?.reject(stopping)
  }
  await Promise.all(running.map((slot) => slot.worker.terminate()))
}

function failureReason(error: Error, memoryMb: number): string {
  if ((error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY')
    return `analysing the message needed more than ${memoryMb} MB of memory`
  return `could not analyse the message: ${error.message.replace(/\s+/g, ' ').trim()}`
}
