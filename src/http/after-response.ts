import type { Context } from 'hono'
import type { AppEnv } from './app-env.ts'

/**
 * Lets work finish after the response is sent: Workers' waitUntil keeps the isolate alive for it;
 * on Node there is no execution context and the process simply outlives the response. Failures
 * are logged with the request id, since nobody is waiting for them.
 */
export function runAfterResponse(c: Context<AppEnv>, work: Promise<unknown>): void {
  const logged = work.catch((error) => console.error(`[${c.get('requestId') ?? '-'}] background work failed:`, error))
  let executionCtx: { waitUntil(p: Promise<unknown>): void } | undefined
  try {
    executionCtx = c.executionCtx
  } catch {
    executionCtx = undefined // Node: Hono throws when there is no execution context
  }
  executionCtx?.waitUntil(logged)
}
