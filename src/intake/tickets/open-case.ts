// An escalated helpdesk ticket becomes a case through the form's path (src/cases/create.ts), so
// clocks, audit, the draft and the one-reference-one-case rule are those of every other case.
// One ticket is one case: the ticket's id is the dedupe key, and its label the case's reference.
import { systemActor } from '../../audit/audit.ts'
import { createCaseFromForm } from '../../cases/create.ts'
import { caseLabel, severities, type Severity } from '../../cases/terms.ts'
import type { Tx } from '../../db.ts'
import { rateSeverity } from '../severity.ts'
import type { Ticket } from './payloads.ts'
import { providerLabels, type PriorityMap, type Provider } from './terms.ts'

export type TicketOutcome = { status: 'created' | 'duplicate'; case: string }

const referencePrefix: Record<Provider, string> = {
  zendesk: 'Zendesk',
  freshdesk: 'Freshdesk',
  intercom: 'Intercom',
  helpscout: 'Help Scout',
  generic: 'Ticket',
}

/** The case's reference: "Zendesk #4411". */
export const ticketReference = (provider: Provider, ticketId: string) => `${referencePrefix[provider]} #${ticketId}`

/**
 * The priority's severity by the connection's map, raised (never lowered) by what the ticket
 * says, read with intake's rubric: an outage, a breach or a lawsuit in the text outranks the
 * priority an agent picked.
 */
export function suggestSeverity(provider: Provider, ticket: Ticket, map: PriorityMap): { severity: Severity; reasons: string[] } {
  const read = rateSeverity({
    text: `${ticket.subject}\n${ticket.description}`,
    lawyerLetter: false,
    lawsuitServed: false,
    bodyNotice: null,
    bodyComplaint: null,
    publicExposure: null,
    executive: null,
  })
  if (!ticket.priority) return read
  const suggested = map[ticket.priority]
  const byPriority = `the ${providerLabels[provider]} ticket's priority is ${ticket.priority} (${suggested})`
  if (severities.indexOf(read.severity) < severities.indexOf(suggested))
    return { severity: read.severity, reasons: [...read.reasons, byPriority] }
  return { severity: suggested, reasons: [byPriority] }
}

function summaryOf(provider: Provider, ticket: Ticket): string {
  const link = `${providerLabels[provider]} ticket ${ticket.id}${ticket.url ? `: ${ticket.url}` : ''}`
  return ticket.description ? `${ticket.description}\n\n${link}` : link
}

export async function openTicketCase(tx: Tx, orgId: string, provider: Provider, ticket: Ticket, map: PriorityMap): Promise<TicketOutcome> {
  // Concurrent posts of one ticket (a helpdesk's retry racing its first try) queue here.
  await tx`select pg_advisory_xact_lock(hashtextextended(${`ticket:${orgId}:${provider}:${ticket.id}`}, 0))`
  const [known] = await tx<{ number: number }[]>`
    select c.number from helpdesk_tickets t join cases c on c.id = t.case_id
    where t.provider = ${provider} and t.ticket_id = ${ticket.id}`
  if (known) return { status: 'duplicate', case: caseLabel(known.number) }

  const { severity, reasons } = suggestSeverity(provider, ticket, map)
  const kase = await createCaseFromForm(
    tx,
    orgId,
    {
      source: 'direct',
      customerName: ticket.customerName ?? '',
      customerEmail: ticket.customerEmail ?? '',
      subject: ticket.subject,
      summary: summaryOf(provider, ticket),
      severity,
      externalRef: ticketReference(provider, ticket.id),
    },
    systemActor,
    { via: 'helpdesk', severityReasons: reasons, details: { provider, ticketId: ticket.id } },
  )
  // A case that has the reference already (entered by hand) is the ticket's case.
  await tx`
    insert into helpdesk_tickets (org_id, provider, ticket_id, case_id, ticket_url)
    values (${orgId}, ${provider}, ${ticket.id}, ${kase.id}, ${ticket.url})`
  await tx`update helpdesk_connections set last_ticket_at = now() where provider = ${provider}`
  return { status: kase.created ? 'created' : 'duplicate', case: caseLabel(kase.number) }
}
