import type { Tx } from '../db.ts'
import { digestRecipients, loadNotificationSettings } from '../digest/settings.ts'
import { loadDraftSettings } from '../drafts/settings.ts'
import type { Env } from '../env.ts'
import { activeApproversAndAdmins } from './queries.ts'
import { fail, pass, type Check, type ServerChecks } from './verdict.ts'

// The checks of how one organization works its cases: the digest, the approvers, AI drafting.

const hourText = (hour: number) => `${String(hour).padStart(2, '0')}:00`

export async function checkDigest(tx: Tx, env: Env, orgId: string): Promise<Check> {
  const settings = await loadNotificationSettings(tx, orgId)
  const when = `daily at ${hourText(settings.digestHour)} ${settings.timezone}`
  if (!settings.digest_enabled) {
    return fail(
      'digest',
      'The daily digest is off: nobody is told each morning which cases are breached or at risk.',
      'Turn it on at /admin/digest.',
    )
  }
  const recipients = await digestRecipients(tx, settings)
  if (recipients.length === 0) {
    return fail(
      'digest',
      `The digest goes out ${when}, but to nobody: none of the listed recipients is an active user.`,
      'Choose recipients at /admin/digest (or leave the list empty to send it to every approver and admin).',
    )
  }
  if (!env.RESEND_API_KEY) {
    return fail(
      'digest',
      `The digest would go ${when} to ${recipients.join(', ')}, but without RESEND_API_KEY it stays in the dev mailbox.`,
      'Configure sending (above).',
    )
  }
  return pass('digest', `Sent ${when} to ${recipients.join(', ')}.`)
}

export async function checkApprovers(tx: Tx): Promise<Check> {
  const people = await activeApproversAndAdmins(tx)
  const approvers = people.filter((p) => p.role === 'approver')
  const admins = people.filter((p) => p.role === 'admin')
  if (approvers.length === 0) {
    const who = admins.length
      ? `approval invites go only to the admin${admins.length === 1 ? '' : 's'} (${admins.map((a) => a.email).join(', ')})`
      : 'nobody can approve a reply'
    return fail(
      'approvers',
      `Nobody has the approver role: ${who}.`,
      'Invite the senior managers who approve replies at /admin/users, with the approver role.',
    )
  }
  return pass('approvers', `${approvers.length} approver${approvers.length === 1 ? '' : 's'}: ${approvers.map((a) => a.email).join(', ')}.`)
}

export async function checkDrafting(tx: Tx, env: Env, orgId: string, model: ServerChecks['model']): Promise<Check> {
  const settings = await loadDraftSettings(tx, orgId)
  if (!settings.ai_enabled)
    return pass('drafting', 'AI drafting is off for this organization: every reply starts from a template (chosen at /admin/drafting).')
  if (!env.OPENAI_API_KEY || !model) {
    return fail(
      'drafting',
      'AI drafting is on, but OPENAI_API_KEY is not set: every draft falls back to a template.',
      'Set OPENAI_API_KEY (and OPENAI_BASE_URL for another compatible API), or turn AI drafting off at /admin/drafting.',
    )
  }
  if (!model.ok) {
    return fail(
      'drafting',
      `AI drafting is on, but ${model.reason}: drafts fall back to templates.`,
      'Check OPENAI_API_KEY, OPENAI_BASE_URL and OPENAI_MODEL.',
    )
  }
  return pass(
    'drafting',
    `AI drafting is on; the model ${model.value.model} answers at ${env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1'}.`,
  )
}
