// What an admin does in each helpdesk, filled in with this organization's URL: the settings page
// shows these steps, and the README quotes the same bodies.
import type { Provider } from './terms.ts'

export type SetupStep = { text: string; code?: string }

const ticketBody = (placeholders: Record<'id' | 'subject' | 'description' | 'url' | 'priority' | 'name' | 'email', string>) =>
  JSON.stringify(
    {
      ticket: {
        id: placeholders.id,
        subject: placeholders.subject,
        description: placeholders.description,
        url: placeholders.url,
        priority: placeholders.priority,
        requester: { name: placeholders.name, email: placeholders.email },
      },
    },
    null,
    2,
  )

/** The JSON body of a Zendesk trigger's "Notify webhook" action. */
export const zendeskBody = ticketBody({
  id: '{{ticket.id}}',
  subject: '{{ticket.title}}',
  description: '{{ticket.description}}',
  url: '{{ticket.link}}',
  priority: '{{ticket.priority}}',
  name: '{{ticket.requester.name}}',
  email: '{{ticket.requester.email}}',
})

/** The "Advanced" JSON content of a Freshdesk automation rule's "Trigger webhook" action. */
export const freshdeskBody = ticketBody({
  id: '{{ticket.id}}',
  subject: '{{ticket.subject}}',
  description: '{{ticket.description}}',
  url: '{{ticket.url}}',
  priority: '{{ticket.priority}}',
  name: '{{ticket.requester.name}}',
  email: '{{ticket.requester.email}}',
})

export const genericBody = ticketBody({
  id: 'T-4411',
  subject: 'Refund refused after three requests',
  description: 'What the customer wrote…',
  url: 'https://help.example.com/tickets/T-4411',
  priority: 'urgent',
  name: 'Pat Customer',
  email: 'pat@customer.example',
})

export function helpdeskSetup(provider: Provider, url: string): SetupStep[] {
  switch (provider) {
    case 'zendesk':
      return [
        {
          text: 'Admin Center → Apps and integrations → Webhooks → Create webhook, connected to "Trigger or automation": endpoint URL below, method POST, request format JSON, no authentication.',
          code: url,
        },
        { text: 'Open the webhook, reveal its signing secret and enter it here.' },
        {
          text: 'Create a trigger for the tickets to escalate (e.g. tag "escalate" added, or priority Urgent) with the action "Notify webhook" and this body:',
          code: zendeskBody,
        },
      ]
    case 'freshdesk':
      return [
        { text: 'Connect first: the desk makes up the secret and shows it once.' },
        {
          text: 'Admin → Automations → Ticket updates (or creation): a rule for the tickets to escalate, action "Trigger webhook": POST to the URL below, encoding JSON, custom header X-Desk-Token: <the secret> (or "Requires authentication" with any username and the secret as password).',
          code: url,
        },
        { text: 'Content: Advanced, with this body:', code: freshdeskBody },
      ]
    case 'intercom':
      return [
        { text: 'Developer Hub → your app → Basic information: enter the client secret here (Intercom signs with it).' },
        {
          text: 'Webhooks: endpoint URL below, topics conversation.priority.updated and conversation.admin.assigned (or any conversation topic).',
          code: url,
        },
        {
          text: 'Only conversations marked priority or tagged "escalate" open a case (a tag urgent, high, normal or low sets the priority; the priority flag alone reads as high); others are answered "ignored".',
        },
      ]
    case 'helpscout':
      return [
        { text: 'Connect first: the desk makes up the secret (Help Scout takes up to 40 characters) and shows it once.' },
        {
          text: 'Manage → Apps → Webhooks: callback URL below, that secret key, events "Conversation Created" and "Conversation Tags Updated".',
          code: url,
        },
        {
          text: 'Tag a conversation "escalate" to open a case; a tag urgent, high, normal or low sets its priority. Untagged conversations are answered "ignored".',
        },
      ]
    case 'generic':
      return [
        { text: 'Connect first: the desk makes up the secret and shows it once.' },
        {
          text: 'POST JSON to the URL below, signed as POST /inbound/raw is (README, "Signing POST /inbound/raw") with this secret: X-Desk-Timestamp and X-Desk-Signature: v2=<hex HMAC-SHA256 of "v2.<timestamp>.<path and query>\\n<body>">.',
          code: url,
        },
        { text: 'The body (priority: urgent, high, normal or low):', code: genericBody },
      ]
  }
}
