export type Loop = {
  /** Stops the loop; resolves once the tick running now (if any) has finished. */
  stop: () => Promise<void>
  /** Runs the tick again at once, or right after the one running now. */
  wake: () => void
}

/**
 * Runs `tick` now, then again `intervalMs` after each tick ends. Ticks never overlap, so a slow
 * one (a database that takes a while) delays the next instead of piling up. `tick` handles its
 * own failures (a rejected tick is logged and the loop goes on), and may ask whether the loop
 * was stopped meanwhile, to end a long tick early.
 */
export function every(intervalMs: number, tick: (stopped: () => boolean) => Promise<void>): Loop {
  let stopped = false
  let timer: ReturnType<typeof setTimeout> | undefined
  let current: Promise<void> = Promise.resolve()
  let ticking = false
  let again = false

  const run = async () => {
    ticking = true
    again = false
    try {
      await tick(() => stopped)
    } catch (error) {
      console.error('loop tick failed:', error)
    } finally {
      ticking = false
    }
    schedule(again ? 0 : intervalMs)
  }
  function schedule(delay: number) {
    if (stopped) return
    clearTimeout(timer)
    timer = setTimeout(() => {
      current = run()
    }, delay)
  }
  schedule(0)
  return {
    wake: () => {
      if (ticking) again = true
      else schedule(0)
    },
    stop: async () => {
      stopped = true
      clearTimeout(timer)
      await current
    },
  }
}
