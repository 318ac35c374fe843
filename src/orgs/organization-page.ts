import type { SessionUser } from '../auth/sessions.ts'
import { withOrg, type Db, type Tx } from '../db.ts'
import { loadDraftSettings, updateDraftSettings, type OrgDraftSettings } from '../drafts/settings.ts'
import type { Env } from '../env.ts'
import { AppError } from '../http/errors.ts'
import { formList, formText } from '../http/forms.ts'
import { severities, sources } from '../cases/terms.ts'
import { defaultMailFrom } from '../outbound/mailer.ts'
import { fromFor } from '../outbound/identity.ts'
import { checkDomains, checkEmail, checkInboundAddresses, checkOrgName, checkReplyFrom, checkTimeZone, splitList } from './addresses.ts'
import { listApproverLists, setApprovers, type ApproverList, type ApproverScope } from './approvers.ts'
import { listExecutives, type OrgExecutive } from './executives.ts'
import { changeOrganization, type ExecutiveInput, type OrgChanges } from './organization.ts'
import { findOrgProfile, type OrgProfile } from './queries.ts'
import { receivingSetup, type ProviderSetup } from './receiving.ts'

// The organization page (/admin/organization): what it shows, and what each of its forms means.

export type Approver = { id: string; name: string; email: string; role: string }

export type OrgPage = {
  org: OrgProfile
  executives: OrgExecutive[]
  approvers: Approver[]
  approverLists: ApproverList[]
  drafting: OrgDraftSettings
  activeUsers: number
  receiving: { address: string; providers: ProviderSetup[] }[]
  /** The From lines the customer would see: an ordinary case, and a CEO-inbox case per executive. */
  senders: { label: string; from: string }[]
}

export async function loadOrgPage(db: Db, env: Env, orgId: string): Promise<OrgPage> {
  return withOrg(db, orgId, async (tx) => {
    const org = (await findOrgProfile(tx, orgId))!
    const executives = await listExecutives(tx)
    const orgSender = org.replyFrom ?? env.MAIL_FROM ?? defaultMailFrom
    return {
      org,
      executives,
      approvers: await listApproverCandidates(tx),
      approverLists: await listApproverLists(tx),
      drafting: await loadDraftSettings(tx, orgId),
      activeUsers: await countActiveUsers(tx),
      receiving: org.inboundAddresses.map((address) => ({ address, providers: receivingSetup(env, org, address) })),
      senders: [
        { label: 'Replies', from: orgSender },
        ...executives.map((e) => ({ label: `Replies to ${e.name || e.email}'s inbox`, from: fromFor(orgSender, org.name, e) })),
      ],
    }
  })
}

async function listApproverCandidates(tx: Tx): Promise<Approver[]> {
  return tx<
    Approver[]
  >`select id, name, email, role from app_users where role in ('approver', 'admin') and disabled_at is null order by lower(name), email`
}

async function countActiveUsers(tx: Tx): Promise<number> {
  const [row] = await tx<{ n: number }[]>`select count(*)::int as n from app_users where disabled_at is null`
  return row!.n
}

export type Section = 'profile' | 'inbound' | 'domains' | 'executives' | 'sender' | 'approvers'
export type SectionResult = { ok: true; changed: boolean } | { ok: false; section: Section; errors: Record<string, string> }

const refused = (section: Section, field: string, problem: string): SectionResult => ({
  ok: false,
  section,
  errors: { [field]: capitalise(problem) },
})
// A sentence for the page: capitalised, unless it starts with an address, a domain or a quoted value.
const capitalise = (s: string) =>
  `${/^[^\s]*[@.]|^"/.test(s) ? s : `${s.charAt(0).toUpperCase()}${s.slice(1)}`}${/[.!?]$/.test(s) ? '' : '.'}`

/** One section's form, checked, then saved and audited; a refusal names the field. */
export async function saveSection(db: Db, admin: SessionUser, section: Section, form: Record<string, unknown>): Promise<SectionResult> {
  if (section === 'approvers') return saveApprovers(db, admin, form)
  if (section === 'sender') return saveSender(db, admin, form)
  const changes = parseChanges(section, form)
  if ('field' in changes) return refused(section, changes.field, changes.problem)
  const result = await changeOrganization(db, admin.orgId, changes, { kind: 'user', id: admin.id })
  if (!result.ok) return refused(section, result.field, result.problem)
  return { ok: true, changed: result.changed.length > 0 }
}

function parseChanges(section: Section, form: Record<string, unknown>): OrgChanges | { field: string; problem: string } {
  const text = (name: string) => formText(form, name)
  if (section === 'profile') {
    const name = checkOrgName(text('name'))
    if (!name.ok) return { field: 'name', problem: name.problem }
    const timezone = checkTimeZone(text('timezone'))
    if (!timezone.ok) return { field: 'timezone', problem: timezone.problem }
    return { name: name.value, timezone: timezone.value }
  }
  if (section === 'inbound') {
    const inbound = checkInboundAddresses(splitList(text('inbound')))
    return inbound.ok ? { inboundAddresses: inbound.value } : { field: 'inbound', problem: inbound.problem }
  }
  if (section === 'domains') {
    const domains = checkDomains(splitList(text('domains')))
    return domains.ok ? { domains: domains.value } : { field: 'domains', problem: domains.problem }
  }
  const executives = parseExecutives(form)
  return 'problem' in executives ? { field: 'executives', problem: executives.problem } : { executives }
}

/**
 * The executives table: rows email.N, name.N, title.N, send_as.N (a ticked box), remove.N, and
 * one empty row to add someone. A row with no address is ignored.
 */
function parseExecutives(form: Record<string, unknown>): ExecutiveInput[] | { problem: string } {
  const rows = Object.keys(form)
    .map((k) => /^email\.(\w+)$/.exec(k)?.[1])
    .filter((n): n is string => n !== undefined)
  const executives: ExecutiveInput[] = []
  for (const n of rows) {
    const typed = formText(form, `email.${n}`).trim()
    if (!typed || formText(form, `remove.${n}`) === 'on') continue
    const email = checkEmail(typed)
    if (!email.ok) return { problem: email.problem }
    const name = formText(form, `name.${n}`).trim().replace(/\s+/g, ' ')
    const title = formText(form, `title.${n}`).trim().replace(/\s+/g, ' ')
    if (name.length > 200 || title.length > 200) return { problem: `keep the name and title of ${email.value} under 200 characters` }
    executives.push({ email: email.value, name, title, sendAs: formText(form, `send_as.${n}`) === 'on' })
  }
  return executives
}

/** The From of replies (orgs.reply_from) and the signature drafts end with (drafting settings). */
async function saveSender(db: Db, admin: SessionUser, form: Record<string, unknown>): Promise<SectionResult> {
  const replyFrom = checkReplyFrom(formText(form, 'reply_from'))
  if (!replyFrom.ok) return refused('sender', 'reply_from', replyFrom.problem)
  const signature = formText(form, 'signature').replace(/\r\n?/g, '\n').trim()
  const senderName = formText(form, 'sender_name').trim()
  if (signature.length > 1000) return refused('sender', 'signature', 'keep the signature under 1000 characters')
  if (senderName.length > 200) return refused('sender', 'sender_name', 'keep the name under 200 characters')
  const result = await changeOrganization(db, admin.orgId, { replyFrom: replyFrom.value }, { kind: 'user', id: admin.id })
  if (!result.ok) return refused('sender', result.field, result.problem)
  const changed = [...result.changed]
  await withOrg(db, admin.orgId, async (tx) => {
    const before = await loadDraftSettings(tx, admin.orgId)
    if (before.signature === signature && before.sender_name === senderName) return
    await updateDraftSettings(tx, admin.orgId, { ...before, signature, sender_name: senderName }, admin.id)
    changed.push('signature')
  })
  return { ok: true, changed: changed.length > 0 }
}

/** Checkboxes named approvers.<scope>.<value>, one per approver; every list is saved as posted. */
async function saveApprovers(db: Db, admin: SessionUser, form: Record<string, unknown>): Promise<SectionResult> {
  const lists: ApproverList[] = [
    ...severities.map((value) => ({ scope: 'severity' as ApproverScope, value, userIds: formList(form[`approvers.severity.${value}`]) })),
    ...sources.map((value) => ({ scope: 'source' as ApproverScope, value, userIds: formList(form[`approvers.source.${value}`]) })),
  ]
  if (lists.some((l) => l.userIds.some((id) => !/^[0-9a-f-]{36}$/i.test(id))))
    return refused('approvers', 'approvers', 'choose approvers from the list')
  try {
    const changed = await withOrg(db, admin.orgId, async (tx) => {
      const out: string[] = []
      for (const list of lists) if (await setApprovers(tx, admin.id, list)) out.push(list.value)
      return out
    })
    return { ok: true, changed: changed.length > 0 }
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === '42501') throw new AppError('FORBIDDEN', 'Only an admin can do that.')
    if (code === '23514') return refused('approvers', 'approvers', 'only active approvers and admins can be listed; reload the page')
    throw error
  }
}
