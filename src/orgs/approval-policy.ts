import type { Source } from '../cases/queries.ts'
import { severities } from '../sla/sla.ts'
import type { ApprovalPolicy } from './queries.ts'

export const caseSources = ['ceo_inbox', 'bbb', 'lawyer', 'regulator', 'social', 'direct', 'form', 'csv'] as const satisfies readonly Source[]

const chosen = (value: unknown) => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [])

/**
 * The four-eyes part of the settings form. Unticked boxes send nothing, so the form carries an
 * approval_policy marker: a post without it (an SLA-only client) leaves the policy as it is.
 */
export function parseApprovalPolicyForm(form: Record<string, unknown>): { ok: true; policy: ApprovalPolicy | null } | { ok: false; errors: Record<string, string> } {
  if (form.approval_policy === undefined) return { ok: true, policy: null }
  const selfApprovalSeverities = chosen(form.self_approval)
  const fourEyesSources = chosen(form.four_eyes_source)
  const errors: Record<string, string> = {}
  if (selfApprovalSeverities.some((s) => !(severities as readonly string[]).includes(s))) errors.self_approval = 'Self-approval: choose among SEV-1 to SEV-4.'
  if (fourEyesSources.some((s) => !(caseSources as readonly string[]).includes(s))) errors.four_eyes_source = 'Two approvers: choose among the case sources listed.'
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, policy: { selfApprovalSeverities, fourEyesSources } }
}
