// Worker thread of the analysis pool (src/intake/analysis-pool.ts): analyses one message at a
// time and posts the result back (plain data, structured-cloned). JavaScript, like src/desk.mjs,
// so it needs no build step: tsx is registered here, then the TypeScript pipeline is imported.
import { parentPort } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
const { analyzeMessage } = await import('./analyze.ts')

parentPort.on('message', async ({ raw, org, limits }) => {
  let result
  try {
    result = await analyzeMessage(raw, org, limits)
  } catch (error) {
    // analyzeMessage answers failures as values; this only guards against a bug of ours.
    result = { ok: false, reason: `could not analyse the message: ${String(error?.message ?? error).replace(/\s+/g, ' ').trim()}` }
  }
  parentPort.postMessage({ type: 'result', result })
})
parentPort.postMessage({ type: 'ready' })
