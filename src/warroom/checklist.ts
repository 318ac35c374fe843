// The resolution steps of the playbook's resolution management, as ticked on a case (sql/00034).

/** The playbook's resolution steps, in order. */
export const checklistSteps = [
  ['confirm_problem', 'Confirm the exact problem'],
  ['root_cause', 'Identify the root cause (or best hypothesis)'],
  ['options', 'Develop solution options'],
  ['fix_or_workaround', 'Implement the fix (or a workaround)'],
  ['verified_with_customer', 'Verify the resolution with the customer'],
  ['customer_satisfied', 'Confirm customer satisfaction'],
  ['documented', 'Document and close'],
] as const
export type ChecklistStep = (typeof checklistSteps)[number][0]
export const stepLabel = (step: string) => checklistSteps.find(([s]) => s === step)?.[1] ?? step
