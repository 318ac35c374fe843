import { checkText } from '../drafts/guardrails.ts'
import { fillTemplate, unfilledFields } from './template-fields.ts'

// The editor's preview: the template filled as a sample case would fill it, and what the
// guardrails would say of it, so an admin sees which {fields} a person will have to fill (each
// blocks approval until filled) before saving.

export type TemplatePreview = { text: string; unfilled: string[]; blocksApproval: boolean }

export function previewTemplate(body: string, orgName: string): TemplatePreview {
  const text = fillTemplate(body, {
    customer_name: 'Pat Customer',
    case_number: 'ESC-1042',
    next_update: 'by 13:00 CET on Tuesday 24 November',
    external_ref: 'BBB-12345678',
    org_name: orgName,
    executive_name: 'Jane Doe',
    signature: `Jane Doe\n${orgName}`,
  })
  return {
    text,
    unfilled: unfilledFields(body),
    blocksApproval: checkText(text).some((f) => f.code === 'placeholder'),
  }
}
