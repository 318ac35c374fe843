// Wall-clock <-> instant conversion for IANA zones with nothing but Intl, so the same code runs
// on Node and on Workers without shipping a tz database. Times are plain epoch milliseconds;
// a "wall" value is the local date-time encoded as if it were UTC (Date.UTC of its fields),
// which makes day and minute arithmetic on local dates exact (UTC has no DST).

export const MINUTE_MS = 60_000
export const HOUR_MS = 60 * MINUTE_MS
export const DAY_MS = 24 * HOUR_MS

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone)
  if (!formatter) {
    // Throws RangeError for an unknown zone, before anything is cached.
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(timeZone, formatter)
  }
  return formatter
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone)
    return true
  } catch {
    return false
  }
}

/** The local wall time at an instant, as UTC-encoded milliseconds (whole seconds). */
export function wallMsAt(instantMs: number, timeZone: string): number {
  const fields: Record<string, number> = {}
  for (const part of formatterFor(timeZone).formatToParts(instantMs)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value)
  }
  return Date.UTC(fields.year!, fields.month! - 1, fields.day!, fields.hour!, fields.minute!, fields.second!)
}

/** Local minus UTC, in milliseconds, at an instant. */
export function offsetMsAt(instantMs: number, timeZone: string): number {
  // Intl drops milliseconds, so compare against the instant truncated to the second.
  const wholeSecond = Math.floor(instantMs / 1000) * 1000
  return wallMsAt(wholeSecond, timeZone) - wholeSecond
}

/**
 * The instant a wall time names, resolved like Temporal's 'compatible': in a fall-back overlap
 * the earlier of the two instants, in a spring-forward gap the time shifted forward by the gap
 * (02:30 on a US spring-forward day becomes 03:30 daylight time).
 */
export function wallMsToInstant(wallMs: number, timeZone: string): number {
  const offsetBefore = offsetMsAt(wallMs - DAY_MS, timeZone)
  const offsetAfter = offsetMsAt(wallMs + DAY_MS, timeZone)
  const matches = [wallMs - offsetBefore, wallMs - offsetAfter].filter((instant) => instant + offsetMsAt(instant, timeZone) === wallMs)
  if (matches.length > 0) return Math.min(...matches)
  return wallMs - offsetBefore
}

export type OffsetSegment = { from: number; to: number; offsetMs: number }

/**
 * Splits [from, to) into runs of constant UTC offset. Transitions are found by bisection to
 * the second, so a day costs two Intl calls and a transition day about twenty. Assumes at most
 * one transition between two probes that agree, which holds for every zone with windows of a
 * few days (the shortest real DST periods last weeks).
 */
export function offsetSegments(from: number, to: number, timeZone: string): OffsetSegment[] {
  const segments: OffsetSegment[] = []
  const offsetAtEnd = offsetMsAt(to, timeZone)
  let start = from
  let offset = offsetMsAt(from, timeZone)
  while (offset !== offsetAtEnd) {
    let same = start
    let changed = to
    while (changed - same > 1000) {
      const middle = same + Math.floor((changed - same) / 2000) * 1000
      if (offsetMsAt(middle, timeZone) === offset) same = middle
      else changed = middle
    }
    segments.push({ from: start, to: changed, offsetMs: offset })
    start = changed
    offset = offsetMsAt(changed, timeZone)
  }
  segments.push({ from: start, to, offsetMs: offset })
  return segments
}

/** 'YYYY-MM-DD' of a UTC-encoded wall value. */
export function isoDateOfWall(wallMs: number): string {
  return new Date(wallMs).toISOString().slice(0, 10)
}
