import { enteredSources, severities, type EnteredSource } from '../../src/cases/terms.ts'
import { Field } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

type Props = { values: Record<string, string>; errors: Record<string, string> }

// Worded for the person filling in the form: where did it reach you?
const sourceChoices: Record<EnteredSource, string> = {
  form: 'Phone, chat or in person',
  ceo_inbox: 'CEO inbox',
  bbb: 'BBB complaint',
  lawyer: 'Lawyer letter',
  regulator: 'Regulator',
  social: 'Social media',
  direct: 'Direct email',
}

function Error({ message }: { message?: string }) {
  return message ? (
    <small class="field-error" role="alert">
      {message}
    </small>
  ) : null
}

export function NewCasePage({ values, errors }: Props) {
  const v = (k: string) => values[k] ?? ''
  return (
    <Layout title="New escalation">
      <p class="crumbs">
        <a href="/">← Queue</a>
      </p>
      <h1>New escalation</h1>
      <form method="post" action="/cases" class="panel stack narrow" id="new-case">
        {Object.keys(errors).length ? (
          <div class="flash error" role="alert">
            Please fix the fields marked below.
          </div>
        ) : null}
        <Field label="Where did it come from?">
          <select name="source">
            {enteredSources.map((value) => (
              <option value={value} selected={v('source') === value}>
                {sourceChoices[value]}
              </option>
            ))}
          </select>
          <Error message={errors.source} />
        </Field>
        <Field label="Customer name">
          <input name="customerName" value={v('customerName')} autocomplete="off" />
          <Error message={errors.customerName} />
        </Field>
        <Field label="Customer email">
          <input name="customerEmail" type="email" value={v('customerEmail')} autocomplete="off" />
          <Error message={errors.customerEmail} />
        </Field>
        <Field label="Subject">
          <input name="subject" required value={v('subject')} />
          <Error message={errors.subject} />
        </Field>
        <Field label="What happened">
          <textarea name="summary" rows={6} required>
            {v('summary')}
          </textarea>
          <Error message={errors.summary} />
        </Field>
        <Field label="Severity" hint="SEV-1: safety, legal or regulatory action, media. SEV-4: no deadline pressure.">
          <select name="severity">
            {severities.map((s) => (
              <option value={s} selected={(v('severity') || 'SEV-3') === s}>
                {s}
              </option>
            ))}
          </select>
          <Error message={errors.severity} />
        </Field>
        <Field label="External reference (optional)" hint="BBB complaint number, lawyer's matter reference…">
          <input name="externalRef" value={v('externalRef')} />
          <Error message={errors.externalRef} />
        </Field>
        <button type="submit" class="primary">
          Open the case
        </button>
      </form>
    </Layout>
  )
}
