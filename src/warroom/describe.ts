// The war room's audit events in words, for the timeline (src/audit/describe.ts asks here).
import { stepLabel } from './checklist.ts'

const fieldLabels: Record<string, string> = {
  commanderId: 'incident commander',
  statusLine: 'status',
  nextAction: 'next action',
  nextActionOwnerId: 'next action owner',
  nextActionEta: 'ETA',
  workaround: 'workaround',
  workaroundCommunicated: 'workaround communicated',
  hypothesis: 'root-cause hypothesis',
  channelUrl: 'channel link',
}

const quoted = (v: unknown) => (typeof v === 'string' && v.length > 120 ? `“${v.slice(0, 119)}…”` : `“${String(v)}”`)

function change(field: string, value: unknown, person: (id: unknown) => string): string {
  const label = fieldLabels[field] ?? field
  if (value === null || value === undefined || value === '') {
    return field === 'commanderId' ? 'incident commander back to the owner' : `${label} cleared`
  }
  if (field === 'commanderId' || field === 'nextActionOwnerId') return `${label} ${person(value)}`
  if (field === 'workaroundCommunicated')
    return value === true ? 'workaround communicated to the customer' : 'workaround not communicated yet'
  if (field === 'nextActionEta') return `${label} ${new Date(String(value)).toISOString().slice(0, 16).replace('T', ' ')} UTC`
  return `${label} ${quoted(value)}`
}

/** The sentence of a war-room or internal-update event, or null for any other action. */
export function warRoomSentence(action: string, d: Record<string, unknown>, who: string, person: (id: unknown) => string): string | null {
  switch (action) {
    case 'warroom.update': {
      // `fields` keeps the form's order; the changes object is jsonb, whose keys Postgres reorders.
      const changes = (d.changes ?? {}) as Record<string, unknown>
      const fields = Array.isArray(d.fields) ? (d.fields as string[]) : Object.keys(changes)
      return `${who} updated the war room: ${fields.map((f) => change(f, changes[f], person)).join('; ')}`
    }
    case 'warroom.collaborator_add':
      return `${who} added ${person(d.userId)} as a collaborator`
    case 'warroom.collaborator_remove':
      return `${who} removed ${person(d.userId)} from the collaborators`
    case 'warroom.checklist':
      return `${who} ${d.done ? 'ticked' : 'reopened'} the resolution step “${stepLabel(String(d.step))}”`
    case 'internal_update.create': {
      const to = Array.isArray(d.to) ? d.to.length : 0
      return `${who} sent an internal update to ${to} stakeholder${to === 1 ? '' : 's'}${d.late ? ' (after its cadence deadline)' : ''}`
    }
    case 'internal_update.send':
      return 'The desk delivered the internal update'
    case 'internal_update.fail':
      return `The internal update could not be delivered${d.error ? `: ${String(d.error)}` : ''}`
    default:
      return null
  }
}
