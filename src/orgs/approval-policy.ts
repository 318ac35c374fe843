import { isSeverity, isSource } from '../cases/terms.ts'
import type { ApprovalPolicy } from './queries.ts'

const chosen = (value: unknown) => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [])

/**
 * The four-eyes part of the settings form. Unticked boxes send nothing, so the form carries an
 * approval_policy marker: a post without it (an SLA-only client) leaves the policy as it is.
 */
export function parseApprovalPolicyForm(
  form: Record<string, unknown>,
): { ok: true; policy: ApprovalPolicy | null } | { ok: false; errors: Record<string, string> } {
  if (form.approval_policy === undefined) return { ok: true, policy: null }
  const selfApprovalSeverities = chosen(form.self_approval)
  const fourEyesSources = chosen(form.four_eyes_source)
  const errors: Record<string, string> = {}
  if (!selfApprovalSeverities.every(isSeverity)) errors.self_approval = 'Self-approval: choose among SEV-1 to SEV-4.'
  if (!fourEyesSources.every(isSource)) errors.four_eyes_source = 'Two approvers: choose among the case sources listed.'
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, policy: { selfApprovalSeverities, fourEyesSources } }
}
