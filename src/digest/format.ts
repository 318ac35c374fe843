// Small, phone-friendly wording for staff mail: local times in the org's zone, short durations.

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(key: string, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = formatters.get(`${key}/${timeZone}`)
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-GB', { ...options, timeZone })
    } catch {
      // Postgres and Intl may disagree on an exotic zone name; UTC is still a true time.
      f = new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' })
    }
    formatters.set(`${key}/${timeZone}`, f)
  }
  return f
}

const localDay = (d: Date, timeZone: string) => formatter('day', timeZone, { year: 'numeric', month: '2-digit', day: '2-digit' }).format(d)

/** "14:30" today, "Tue 24 Nov 14:30" on another day (local to the org). */
export function localTime(d: Date, now: Date, timeZone: string): string {
  const time = formatter('time', timeZone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d)
  if (localDay(d, timeZone) === localDay(now, timeZone)) return time
  return `${formatter('date', timeZone, { weekday: 'short', day: 'numeric', month: 'short' }).format(d)} ${time}`
}

/** "Monday 23 November 2026" for a YYYY-MM-DD local date. */
export function longDate(isoDate: string): string {
  const parts = formatter('long', 'UTC', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).formatToParts(
    new Date(`${isoDate}T12:00:00Z`),
  )
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return `${part('weekday')} ${part('day')} ${part('month')} ${part('year')}`
}

/** "Mon 23 Nov" for a YYYY-MM-DD local date. */
export function shortDate(isoDate: string): string {
  return formatter('short', 'UTC', { weekday: 'short', day: 'numeric', month: 'short' }).format(new Date(`${isoDate}T12:00:00Z`))
}

/** "under a minute", "42 min", "3 h 10 min", "2 d 4 h". */
export function duration(ms: number): string {
  const minutes = Math.floor(Math.abs(ms) / 60_000)
  if (minutes < 1) return 'under a minute'
  const d = Math.floor(minutes / 1440),
    h = Math.floor((minutes % 1440) / 60),
    m = minutes % 60
  if (d > 0) return h ? `${d} d ${h} h` : `${d} d`
  if (h > 0) return m ? `${h} h ${m} min` : `${h} h`
  return `${m} min`
}

export const minutesText = (minutes: number) => duration(Math.round(minutes * 60_000))

/** One line, bounded: subjects come from customers and may be long or contain line breaks. */
export function oneLine(text: string | null | undefined, max = 90): string {
  const flat = String(text ?? '')
    .replace(/[\u0000-\u001f\u007f\s]+/g, ' ')
    .trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`
