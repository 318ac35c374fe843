import type { Tx } from '../db.ts'
import { getInternalCadence, type InternalCadence } from './cadence.ts'
import {
  emptyWarRoom,
  getWarRoom,
  listChecklist,
  listCollaborators,
  listInternalUpdates,
  type ChecklistTick,
  type Collaborator,
  type InternalUpdate,
  type WarRoom,
} from './queries.ts'
import { orgTimeZone } from './war-room.ts'

/** What the case page's war room shows, and what the internal update is drafted from. */
export type WarRoomPanel = {
  room: WarRoom
  /** The designated commander, else the owner (the playbook's default); null on an unowned case. */
  commanderId: string | null
  commanderIsOwner: boolean
  collaborators: Collaborator[]
  checklist: ChecklistTick[]
  updates: InternalUpdate[]
  cadence: InternalCadence
  stakeholders: Stakeholders
  timeZone: string
}

export type Stakeholders = {
  recipients: string[]
  /** Addresses left out because they are the customer's or the body's they wrote through. */
  withheld: string[]
}

/**
 * Who receives a case's internal updates: its owner, commander and collaborators, and the org's
 * lists for its severity (exec, CSM, engineering). Never the customer: an address that is the
 * case's customer or channel (the complaints body, counsel) is withheld, whatever a list says.
 */
export async function stakeholdersOf(tx: Tx, caseId: string, commanderId: string | null): Promise<Stakeholders> {
  const [row] = await tx<{ team: string[]; lists: string[]; customer: string[] }[]>`
    select array(select u.email from app_users u
                 where u.disabled_at is null and (u.id = c.owner_id or u.id = ${commanderId}
                   or u.id in (select k.user_id from case_collaborators k where k.case_id = c.id))) as team,
           coalesce((select array_agg(e) from stakeholder_lists s, unnest(s.emails) e where s.severity = c.severity), '{}') as lists,
           array_remove(array[lower(c.customer_email), lower(c.channel_email)], null) as customer
    from cases c where c.id = ${caseId}`
  if (!row) return { recipients: [], withheld: [] }
  const customer = new Set(row.customer)
  const all = [...new Set([...row.team, ...row.lists].map((e) => e.trim().toLowerCase()).filter(Boolean))]
  return { recipients: all.filter((e) => !customer.has(e)), withheld: all.filter((e) => customer.has(e)) }
}

export async function loadWarRoomPanel(tx: Tx, orgId: string, caseId: string, ownerId: string | null, now: Date): Promise<WarRoomPanel> {
  const room = (await getWarRoom(tx, caseId)) ?? emptyWarRoom
  const commanderId = room.commanderId ?? ownerId
  return {
    room,
    commanderId,
    commanderIsOwner: !room.commanderId,
    collaborators: await listCollaborators(tx, caseId),
    checklist: await listChecklist(tx, caseId),
    updates: await listInternalUpdates(tx, caseId),
    cadence: await getInternalCadence(tx, orgId, caseId, now),
    stakeholders: await stakeholdersOf(tx, caseId, commanderId),
    timeZone: await orgTimeZone(tx),
  }
}
