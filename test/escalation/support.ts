import type { Db } from '../../src/db.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runScheduledTick } from '../../src/jobs/scheduler.ts'
import { createDevMailer } from '../../src/outbound/mailer.ts'
import { testEnv } from '../support/app.ts'
import { heldMail, minutes } from '../support/digest.ts'

export const chainKinds = ['at_risk', 'cadence', 'approvers', 'executives']

/**
 * A scheduler tick standing at `now` (the clock faked as the alert tests do), its jobs drained.
 * Each call is its own scheduler (its own worker id), so two calls at once race as two processes.
 */
export async function tickAt(db: Db, orgId: string, now: Date) {
  const deps = { db, env: testEnv(), handlers: jobHandlers({ mailer: createDevMailer(db) }), log: () => {} }
  const summary = await runScheduledTick(deps, { now, orgIds: [orgId], drainMs: 10_000 })
  return summary.alerts.filter((a) => chainKinds.includes(a.kind))
}

/** Two schedulers ticking at the same instant; their chain claims together. */
export async function racingTicks(db: Db, orgId: string, now: Date) {
  const [a, b] = await Promise.all([tickAt(db, orgId, now), tickAt(db, orgId, now)])
  return [...a, ...b]
}

/** The chain mails the dev mailbox holds for the org (escalation steps only). */
export async function chainMail(db: Db, orgId: string) {
  return (await heldMail(db, orgId)).filter((m) => m.key?.includes('/chain/'))
}

/** The path of the "I'm on it" link in a chain mail's text. */
export function ackPath(text: string): string {
  const url = /I'm on it \(stops the next alerts about this deadline\): (\S+)/.exec(text)?.[1]
  if (!url) throw new Error(`no acknowledge link in:\n${text}`)
  const parsed = new URL(url)
  return parsed.pathname + parsed.search
}

/** A minute boundary near the real time (signed links expire by the real clock), and offsets from it. */
export function clockFrom(base = new Date(Math.floor(Date.now() / 60_000) * 60_000)) {
  return (offsetMinutes: number) => new Date(base.getTime() + minutes(offsetMinutes))
}
