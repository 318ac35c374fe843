import type { Section } from '../../src/orgs/organization-page.ts'

// The organization page's inputs: a labelled field or text area with its problem beside it.

/** What was typed into a refused section, and its problems by field. */
export type FormState = {
  typed: (s: Section, name: string, fallback: string) => string
  problem: (s: Section, field: string) => string | undefined
}

export function Field({ label, name, value, error }: { label: string; name: string; value: string; error?: string }) {
  return (
    <label class="field">
      <span>{label}</span>
      <input name={name} value={value} aria-invalid={error ? 'true' : undefined} />
      {error ? <span class="field-error">{error}</span> : null}
    </label>
  )
}

export function TextArea({
  name,
  label,
  ariaLabel,
  rows,
  value,
  error,
}: {
  name: string
  label?: string
  /** For a field whose heading says what it is: screen readers need the name too. */
  ariaLabel?: string
  rows: number
  value: string
  error?: string
}) {
  return (
    <label class="field">
      {label ? <span>{label}</span> : null}
      <textarea name={name} rows={rows} aria-label={label ? undefined : ariaLabel} aria-invalid={error ? 'true' : undefined}>
        {value}
      </textarea>
      {error ? <span class="field-error">{error}</span> : null}
    </label>
  )
}
