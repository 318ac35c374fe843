// The playbook's process review questions and root-cause tags: kept apart from review.ts so the
// page, the Markdown and the pattern view share one list and one rule.

export const processPrompts = [
  'Did triage work correctly?',
  'Was communication effective?',
  'Were the right people involved?',
  'Did tools and processes help or hinder?',
  'What would we do differently?',
]

export const MAX_TAGS = 10
const MAX_TAG_CHARS = 40

/**
 * "Billing, Certificate expiry" → ['billing', 'certificate-expiry']: lowercase words joined by
 * hyphens, so the same cause typed twice groups as one in the pattern view.
 */
export function rootCauseTags(input: string): string[] {
  const tags = input
    .split(/[,;\n]+/)
    .map((t) =>
      t
        .normalize('NFKC')
        .toLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, MAX_TAG_CHARS),
    )
    .filter(Boolean)
  return [...new Set(tags)].slice(0, MAX_TAGS)
}
