// The sending side of the inbound benches: `POST /inbound/raw` with a `v2=` HMAC signature, as a
// relay would send it, and a pool of concurrent senders pulling messages from one counter.
import { createHmac } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'

export const INBOUND_SECRET = 'bench-inbound-secret-0123456789abcdef'

export type Outcome = { status: number; outcome: string; ms: number }

/** One signed delivery; `outcome` is the answer's `status` field, or `http_<code>` when not 200. */
export async function postRaw(url: string, body: Buffer<ArrayBuffer>): Promise<Outcome & { case: string | null }> {
  const timestamp = String(Math.floor(Date.now() / 1000))
  const signature = createHmac('sha256', INBOUND_SECRET).update(`v2.${timestamp}./inbound/raw\n`).update(body).digest('hex')
  const t0 = performance.now()
  let response: Response
  let text: string
  try {
    response = await fetch(`${url}/inbound/raw`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822', 'x-desk-timestamp': timestamp, 'x-desk-signature': `v2=${signature}` },
      body,
    })
    text = await response.text()
  } catch {
    // A reset connection is an error of the run, counted like a 5xx.
    return { status: 0, outcome: 'http_error', ms: performance.now() - t0, case: null }
  }
  const ms = performance.now() - t0
  let outcome = `http_${response.status}`
  let label: string | null = null
  if (response.ok) {
    try {
      const answer = JSON.parse(text) as { status?: string; case?: string | null }
      outcome = answer.status ?? outcome
      label = answer.case ?? null
    } catch {
      /* counted under http_<status> */
    }
  }
  return { status: response.status, outcome, ms, case: label }
}

/**
 * `total` messages (index → bytes) sent by `senders` workers pulling from one counter; message i
 * goes to `urls[i % urls.length]`, so several server processes share the load evenly.
 */
export async function replay(urls: string[], total: number, message: (i: number) => Buffer<ArrayBuffer>, senders: number, offset = 0) {
  const latencies: number[] = new Array(total)
  const outcomes = new Map<string, number>()
  let next = 0
  const worker = async () => {
    for (let i = next++; i < total; i = next++) {
      const { outcome, ms } = await postRaw(urls[(offset + i) % urls.length]!, message(offset + i))
      latencies[i] = ms
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
    }
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: senders }, worker))
  return { seconds: (performance.now() - t0) / 1000, latencies, outcomes }
}

/** Deliveries not answered 200 (`http_*` outcomes). */
export const failedCount = (outcomes: Map<string, number>) =>
  [...outcomes].filter(([k]) => k.startsWith('http_')).reduce((n, [, c]) => n + c, 0)

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (clock ticks of 1/100 s). */
export async function cpuSecondsOf(pid: number): Promise<number> {
  return statCpuSeconds(await readFile(`/proc/${pid}/stat`, 'utf8'))
}

/** User plus system time of a /proc stat line (a process's or a thread's), in seconds. */
function statCpuSeconds(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/**
 * CPU seconds of each kind of thread of a process, from /proc/<pid>/task: `main` (the event loop),
 * `worker` (worker threads: intake's analysis), `gc` (V8's helper threads), `libuv` (the thread
 * pool: crypto, zlib, files), `other`. What shows which thread a server's time goes to.
 */
export async function threadCpuOf(pid: number): Promise<Map<string, number>> {
  const kinds = new Map<string, number>()
  const kindOf = (comm: string) =>
    comm === 'MainThread' || comm === 'node'
      ? 'main'
      : comm === 'WorkerThread'
        ? 'worker'
        : comm === 'V8Worker'
          ? 'gc'
          : comm === 'libuv-worker'
            ? 'libuv'
            : 'other'
  for (const tid of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
    const [comm, stat] = await Promise.all([
      readFile(`/proc/${pid}/task/${tid}/comm`, 'utf8').catch(() => ''),
      readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => ''),
    ])
    if (!stat) continue
    const kind = kindOf(comm.trim())
    kinds.set(kind, (kinds.get(kind) ?? 0) + statCpuSeconds(stat))
  }
  return kinds
}

/** The 1-minute load average, printed beside timings so a reader can judge the noise. */
export async function loadAverage(): Promise<number> {
  return Number((await readFile('/proc/loadavg', 'utf8')).split(' ')[0])
}

/**
 * A synthetic escalation from a customer (marked synthetic: no real mail is this), unique by
 * `n`: its own sender, subject and Message-ID, so it neither dedupes nor threads with another.
 * `hop` varies a Received line, as a relay's retry does, so copies share only the Message-ID.
 */
export function syntheticEscalation(n: number, hop = 0, to = 'escalations@example.com'): Buffer<ArrayBuffer> {
  const date = new Date(Date.UTC(2026, 0, 1) + n * 60_000).toUTCString().replace('GMT', '+0000')
  return Buffer.from(
    [
      `Received: from relay${hop}.bench.invalid by mx.example.com; ${date}`,
      `Delivered-To: ${to}`,
      `From: Customer ${n} <customer${n}@customer${n % 97}.example>`,
      `To: ${to}`,
      `Subject: Order ${100000 + n}: refund refused, escalating to your CEO`,
      `Date: ${date}`,
      `Message-ID: <synthetic.${n}@customer${n % 97}.example>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Dear CEO,`,
      '',
      `My order ${100000 + n} arrived broken three weeks ago and your support team has refused a refund`,
      'twice. I have been a customer for six years. If this is not resolved this week I will file a',
      'complaint with the Better Business Bureau.',
      '',
      `Customer ${n}`,
      '',
    ].join('\r\n'),
  )
}
