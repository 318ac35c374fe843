// How durations and shares read on the metrics page, the review and the CSV's human columns.

/** "45s", "12m", "5h 20m", "4d 3h": hours up to 99, so working time never reads as calendar days. */
export function formatSeconds(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—'
  const s = Math.round(value)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.round(s / 60)}m`
  const h = Math.floor(s / 3600)
  const m = Math.round((s % 3600) / 60)
  if (m === 60) return formatSeconds((h + 1) * 3600)
  if (h < 100) return `${h}h ${String(m).padStart(2, '0')}m`
  return `${Math.floor(h / 24)}d ${h % 24}h`
}

/** "87%", "9.5%", "100%", or "—" when there is nothing to divide. */
export function formatPercent(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—'
  return value >= 10 ? `${Math.round(value)}%` : `${Number(value.toFixed(1))}%`
}
