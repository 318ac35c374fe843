// Worker thread of the analysis pool (src/intake/analysis-pool.ts): analyses one message at a
// time and posts the result back (plain data, structured-cloned). JavaScript, like src/desk.mjs,
// so it needs no build step: tsx is registered here, then the TypeScript pipeline is imported.
import { parentPort } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
// readMessage, not analyzeMessage: the language detector stays out of the capped worker heap.
const { readMessage } = await import('./analyze.ts')

// Small messages read before the worker says it is ready (a forward, HTML alternative and HTML
// only, a notice, a lawyer's letter), so the large pattern tables of every reader and the HTML
// tokenizer are compiled then (300-600 ms), not inside the first real message's time limit.
const warmUps = [
  [
    'From: Desk Warm-up <warm@up.invalid>',
    'To: desk@up.invalid',
    'Subject: Fwd: warm-up',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Please look.',
    '',
    '---------- Forwarded message ---------',
    'From: A Customer <a@customer.invalid>',
    'Date: Mon, Nov 9, 2026 at 7:40 PM',
    'Subject: warm-up',
    'To: <desk@up.invalid>',
    '',
    'My order never arrived and I want a refund.',
    'A Customer',
    '',
  ],
  [
    'From: A Customer <a@customer.invalid>',
    'To: desk@up.invalid',
    'Subject: warm-up',
    'MIME-Version: 1.0',
    'Content-Type: multipart/alternative; boundary=w',
    '',
    '--w',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hello, my order is late.',
    '--w',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<div><p>Hello, my order is <b>late</b>.</p><blockquote>earlier</blockquote></div>',
    '--w--',
    '',
  ],
  [
    'From: A Customer <a@customer.invalid>',
    'To: desk@up.invalid',
    'Subject: warm-up',
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<table><tr><td>Order</td><td>late</td></tr></table><p>Hello, <i>my order</i> is late.<br>A Customer</p>',
    '',
  ],
  [
    'From: BBB Warm-up <noreply@bbb.invalid>',
    'To: desk@up.invalid',
    'Subject: BBB Complaint #00000000',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'BETTER BUSINESS BUREAU',
    'Complaint ID: 00000000',
    'Consumer Information',
    'Name: A Customer',
    'Email: a@customer.invalid',
    '',
    'Complaint: The order never arrived and the refund was refused. Please respond within 14 days.',
    '',
  ],
  [
    'From: Counsel <counsel@law.invalid>',
    'To: desk@up.invalid',
    'Subject: Our Ref: W/0000 - formal notice',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'WITHOUT PREJUDICE',
    'Our reference: W/0000',
    'We act for our client A Customer in respect of unpaid refunds. Unless we hear from you within',
    '14 days we will issue proceedings. Our client also reports a data breach affecting 200 users and the press has asked about it.',
    '',
  ],
]
for (const lines of warmUps) {
  await readMessage(new TextEncoder().encode(lines.join('\r\n')), {
    inboundAddresses: [],
    domains: ['up.invalid'],
    teamAddresses: [],
    executives: [],
  }).catch(() => null)
}

parentPort.on('message', async ({ raw, org, limits }) => {
  let result
  try {
    result = await readMessage(raw, org, limits)
  } catch (error) {
    // analyzeMessage answers failures as values; this only guards against a bug of ours.
    result = {
      ok: false,
      reason: `could not analyse the message: ${String(error?.message ?? error)
        .replace(/\s+/g, ' ')
        .trim()}`,
    }
  }
  // The kept attachments' bytes are handed over, not copied (each has a buffer of its own).
  const buffers = new Set(result.ok ? result.mail.files.flatMap((f) => (f.content ? [f.content.buffer] : [])) : [])
  parentPort.postMessage({ type: 'result', result }, [...buffers])
})
parentPort.postMessage({ type: 'ready' })
