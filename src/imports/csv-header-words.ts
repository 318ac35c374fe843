// The names spreadsheets give each field's column (BBB portals, CRMs, hand-made sheets), as
// word tables. Compared after csv-columns.ts's normaliseHeader drops case, spaces and punctuation.

export type CaseField =
  | 'customerName'
  | 'customerEmail'
  | 'subject'
  | 'summary'
  | 'source'
  | 'severity'
  | 'externalRef'
  | 'receivedAt'
  | 'account'
  | 'owner'
  | 'status'

export type AccountField = 'domain' | 'name' | 'plan' | 'annualRevenue' | 'health'

export const caseHeaderAliases: Record<CaseField, string[]> = {
  customerName: [
    'customer_name',
    'customer',
    'name',
    'client',
    'client name',
    'full name',
    'contact',
    'contact name',
    'complainant',
    'consumer',
    'consumer name',
    'requester',
    'requester name',
    'reported by',
    'caller',
  ],
  customerEmail: [
    'customer_email',
    'email',
    'e-mail',
    'email address',
    'client email',
    'contact email',
    'consumer email',
    'mail',
    'requester email',
    'customer email address',
    'from email',
  ],
  subject: [
    'subject',
    'title',
    'topic',
    'issue',
    'headline',
    'issue summary',
    'short description',
    'case title',
    'ticket subject',
    'summary of issue',
  ],
  summary: [
    'summary',
    'description',
    'details',
    'detail',
    'body',
    'complaint',
    'complaint text',
    'message',
    'notes',
    'comments',
    'what happened',
    'issue description',
    'long description',
    'complaint details',
  ],
  source: ['source', 'channel', 'origin', 'via', 'received via', 'how received', 'escalation type', 'type of complaint', 'came in via'],
  severity: ['severity', 'sev', 'priority', 'urgency', 'prio', 'impact'],
  externalRef: [
    'external_ref',
    'external reference',
    'reference',
    'ref',
    'complaint number',
    'complaint id',
    'case id',
    'case number',
    'bbb id',
    'bbb complaint id',
    'matter reference',
    'ticket id',
    'ticket number',
    'ticket',
    'ticket #',
    'ticket no',
    'id',
    'ref #',
    'reference number',
  ],
  receivedAt: [
    'received_at',
    'received',
    'date',
    'date received',
    'created',
    'created_at',
    'opened',
    'opened_at',
    'submitted',
    'submitted at',
    'date opened',
    'opened on',
    'received on',
    'reported on',
    'date reported',
  ],
  account: ['account', 'account name', 'account domain', 'company', 'organisation', 'organization', 'customer company', 'company name'],
  owner: ['owner', 'owner email', 'assignee', 'assigned to', 'agent', 'handled by', 'responsible', 'case owner', 'owner name'],
  status: ['status', 'state', 'ticket status'],
}

export const accountHeaderAliases: Record<AccountField, string[]> = {
  domain: ['domain', 'email domain', 'account domain', 'website', 'url', 'web'],
  name: ['name', 'account', 'account name', 'company', 'company name', 'organisation', 'organization', 'customer'],
  plan: ['plan', 'tier', 'subscription', 'package', 'edition'],
  annualRevenue: ['annual_revenue', 'annual revenue', 'revenue', 'arr', 'acv', 'annual contract value'],
  health: ['health', 'health score', 'account health', 'health status'],
}
