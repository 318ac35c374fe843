// A runner polls for due jobs once a second; a draft queued by intake would wait up to that
// second before anyone looked. Code that has just committed jobs says so here, and the runner of
// this process (src/index.ts subscribes its job loop) looks at once. Without a subscriber (the
// Workers entry, tests, the CLI) it is a no-op, and other processes still find the jobs by polling.
const listeners = new Set<() => void>()

/** Subscribes to "jobs were committed"; returns the unsubscribe. */
export function onJobsCommitted(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** Call after the transaction that inserted jobs has committed, never inside it. */
export function jobsCommitted(): void {
  for (const listener of listeners) listener()
}
