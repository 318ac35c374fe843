import type { Child } from 'hono/jsx'

export function SeverityBadge({ severity }: { severity: string }) {
  return <span class={`badge sev sev-${severity}`}>{severity}</span>
}

/** "2h 05m", "12m 30s", "3d 4h": short, readable at a glance. */
export function formatDuration(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000)
  const d = Math.floor(s / 86400),
    h = Math.floor((s % 86400) / 3600),
    m = Math.floor((s % 3600) / 60),
    sec = s % 60
  if (d > 0) return `${d}d ${h}h`
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`
  return `${m}m ${String(sec).padStart(2, '0')}s`
}

export type ClockTone = 'ok' | 'at_risk' | 'breached' | 'met' | 'none'

export function clockTone(now: Date, due: Date | null, atRisk: Date | null): ClockTone {
  if (!due) return 'none'
  if (due <= now) return 'breached'
  return atRisk && atRisk <= now ? 'at_risk' : 'ok'
}

export function countdownText(now: Date, due: Date): string {
  const left = due.getTime() - now.getTime()
  return left >= 0 ? `${formatDuration(left)} left` : `breached ${formatDuration(left)} ago`
}

/**
 * A deadline that ticks in the browser (views/static/desk.js reads data-due and data-risk) and
 * reads right without script: the server renders the text and tone as of the request. For
 * people who ask for reduced motion (prefers-reduced-motion), the ticking text is replaced by
 * the due time itself, which never needs to change (portal-styles.ts); the tone still follows.
 */
export function Countdown({ due, atRisk, now, label }: { due: Date | null; atRisk: Date | null; now: Date; label?: string }) {
  if (!due) return <span class="countdown none">—</span>
  const tone = clockTone(now, due, atRisk)
  return (
    <span class={`countdown ${tone}`} data-due={due.toISOString()} data-risk={atRisk?.toISOString() ?? ''} title={`due ${formatTime(due)}`}>
      {label ? <span class="clock-label">{label}</span> : null}
      <span class="clock-text">{countdownText(now, due)}</span>
      <span class="clock-due">due {formatTime(due)}</span>
    </span>
  )
}

// Building an Intl formatter costs far more than using one; the queue renders hundreds per page.
const timeFormats = new Map<string, Intl.DateTimeFormat>()
const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 })

export function formatTime(d: Date, timeZone = 'UTC'): string {
  let format = timeFormats.get(timeZone)
  if (!format) timeFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone })))
  return format.format(d) + (timeZone === 'UTC' ? ' UTC' : '')
}

export function Money({ value }: { value: string | number | null }) {
  if (value === null || value === undefined) return <span class="muted">—</span>
  return <>{money.format(Number(value))}</>
}

export function Health({ value }: { value: string | null }) {
  if (!value) return null
  return <span class={`badge health-${value}`}>{value}</span>
}

/**
 * An answer to what was just done, announced by screen readers (assertive for errors, polite
 * otherwise). `focus`: the keyboard lands on it (htmx and the browser honour autofocus in what
 * they show), so whoever pressed a button that was swapped away continues from its answer.
 */
export function Flash({ error, notice, focus }: { error?: string | null; notice?: string | null; focus?: boolean }) {
  const focused = focus ? { tabindex: -1, autofocus: true } : {}
  if (error)
    return (
      <div class="flash error" role="alert" aria-live="assertive" aria-atomic="true" {...focused}>
        {error}
      </div>
    )
  if (notice)
    return (
      <div class="flash notice" role="status" aria-live="polite" aria-atomic="true" {...focused}>
        {notice}
      </div>
    )
  return null
}

export function Field({ label, children, hint }: { label: string; children: Child; hint?: string }) {
  return (
    <label class="field">
      <span>{label}</span>
      {children}
      {hint ? <small class="muted">{hint}</small> : null}
    </label>
  )
}
