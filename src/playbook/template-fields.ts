// The team's own reply templates: the kinds an org can edit, the named fields the desk fills, and
// the filling itself. Pure (no database, no drafts import), so the template fallback, the editor's
// preview and the model's house style all fill a template the same way.

export const houseKinds = ['acknowledgment', 'progress_update', 'resolution', 'executive_apology', 'post_incident_summary'] as const
export type HouseKind = (typeof houseKinds)[number]

export const isHouseKind = (value: unknown): value is HouseKind => houseKinds.includes(value as HouseKind)

export const houseKindLabels: Record<HouseKind, string> = {
  acknowledgment: 'Initial acknowledgment',
  progress_update: 'Progress update',
  resolution: 'Resolution notification',
  executive_apology: 'Executive apology',
  post_incident_summary: 'Post-incident summary',
}

/** The fields the desk fills from the case, with what each becomes. */
export const templateFields = {
  customer_name: "The customer's name (empty when the case has none, or when the reply goes to their counsel)",
  case_number: 'The case number, e.g. ESC-1042',
  next_update: 'When the next update comes, in the customer\'s time zone or as a duration: "by 13:00 CET on Tuesday 24 November"',
  external_ref: "The complainant's own reference (BBB complaint number, matter reference), when the case has one",
  org_name: "The organization's name",
  executive_name: 'The executive whose inbox the complaint reached (CEO-inbox cases)',
  signature: 'The signature the reply ends with (the executive for CEO-inbox cases, else the drafting settings)',
} as const

export type TemplateField = keyof typeof templateFields
export type FieldValues = Partial<Record<TemplateField, string | null | undefined>>

const fieldPattern = /\{([A-Za-z_][\w]{0,40})\}/g

/**
 * Each {field} with a value becomes the value; an unknown field, or one the case has no value
 * for, stays exactly as written: a visible placeholder, which the `placeholder` guardrail blocks
 * from approval until a person fills it.
 */
export function fillTemplate(text: string, values: FieldValues): string {
  return text.replace(fieldPattern, (whole, name: string) => {
    const value = Object.hasOwn(templateFields, name) ? values[name as TemplateField]?.trim() : undefined
    return value ? value : whole
  })
}

/** The {fields} of a text the desk does not fill: a person must, before approval. */
export function unfilledFields(text: string): string[] {
  const names = [...text.matchAll(fieldPattern)].map((m) => m[1]!)
  return [...new Set(names.filter((n) => !Object.hasOwn(templateFields, n)))]
}

/**
 * Where an org starts when it first edits a kind: the playbook's templates, with its
 * [brackets] as named fields. What the desk cannot know ({what_happened}) stays for a person.
 */
export const playbookTemplates: Record<HouseKind, string> = {
  acknowledgment: `Dear {customer_name},

I am personally handling your escalation, logged as {case_number}, and I know how disruptive this is for you.

Here is where we are:
- We have engaged the right team
- We are actively investigating the cause
- I will update you {next_update}

You have one contact for this issue: reply to this email and it comes straight to me.

We will not rest until this is resolved.

{signature}`,
  progress_update: `Dear {customer_name},

Here is your update on {case_number}.

Current status: {current_status}

What we have done:
- {action_taken}

Next steps:
- {next_step}

Next update: {next_update}

{signature}`,
  resolution: `Dear {customer_name},

I am pleased to confirm that the issue behind {case_number} has been resolved.

What happened: {what_happened}
What we did: {what_we_did}
Preventing recurrence: {prevention}

Please reply to confirm that everything works as you expect; we will keep the case open until we hear from you.

Thank you for your patience throughout this.

{signature}`,
  executive_apology: `Dear {customer_name},

I am {executive_name} at {org_name}, and I wanted to reach out personally about what you have experienced.

First, I am sorry. {impact} is not acceptable, and I take full responsibility.

I have reviewed the situation with our team (your case is {case_number}), and here is what we are doing:
1. {immediate_fix}
2. {process_change}
3. {prevention_measure}

I would welcome the opportunity to discuss this with you directly. Would you be open to a call this week?

Sincerely,
{signature}`,
  post_incident_summary: `Dear {customer_name},

Here is our summary of the incident behind {case_number}.

What happened: {what_happened}
Why it happened: {root_cause}
What we did to fix it: {resolution}
What we are changing so it does not happen again: {prevention}

{signature}`,
}
