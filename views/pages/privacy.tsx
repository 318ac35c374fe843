import type { ErasureCounts } from '../../src/privacy/erase.ts'
import { describeErasure } from '../../src/privacy/erase.ts'
import { retentionChoices } from '../../src/retention/retention.ts'
import { Flash } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

type Props = {
  retentionMonths: number | null
  notice?: string | null
  error?: string | null
  /** A dry run's counts, with the address, shown before the admin confirms the erasure. */
  preview?: { email: string; counts: ErasureCounts } | null
  erased?: { email: string; counts: ErasureCounts } | null
}

/** /admin/privacy: retention, erasure of a person, and their access request (export). */
export function PrivacyPage({ retentionMonths, notice, error, preview, erased }: Props) {
  return (
    <Layout title="Privacy and retention">
      <p class="crumbs">
        <a href="/">← Queue</a>
      </p>
      <h1>Privacy and retention</h1>
      <Flash notice={notice} error={error} focus={!!(notice || error)} />
      <RetentionForm months={retentionMonths} />
      {erased ? <Counts title={`Erased ${erased.email}`} counts={erased.counts} /> : null}
      {preview ? <ConfirmErasure {...preview} /> : <EraseForm />}
      <ExportForm />
    </Layout>
  )
}

function RetentionForm({ months }: { months: number | null }) {
  return (
    <form method="post" action="/admin/privacy/retention" class="panel stack">
      <h2>Retention</h2>
      <p class="muted">
        The raw mail, files and thread text of cases closed longer ago than this are deleted by a daily job. The case, its number and its
        audit trail stay.
      </p>
      <label for="retention-months">Keep closed cases' mail for</label>
      <select id="retention-months" name="months">
        <option value="" selected={months === null}>
          ever (retention off)
        </option>
        {retentionChoices.map((m) => (
          <option value={String(m)} selected={m === months}>
            {m} months
          </option>
        ))}
      </select>
      <button type="submit">Save retention</button>
    </form>
  )
}

function EraseForm() {
  return (
    <form method="post" action="/admin/privacy/erase/preview" class="panel stack">
      <h2>Erase a person</h2>
      <p class="muted">
        Removes a customer's mail, files, names and addresses from their cases, drafts and outbox, and every mention of them elsewhere:
        other cases, notes, quarantined mail, queued jobs, webhook and chat logs, stored digests, imports (GDPR art. 17, CCPA). The audit
        trail keeps a salted hash of each erased value, so it still verifies. First see what would be removed.
      </p>
      <label for="erase-email">Their email address</label>
      <input id="erase-email" name="email" type="email" required maxlength={320} autocomplete="off" />
      <button type="submit">Show what would be erased</button>
    </form>
  )
}

function Counts({ title, counts }: { title: string; counts: ErasureCounts }) {
  return (
    <section class="panel" aria-label={title}>
      <h2>{title}</h2>
      <ul>
        {describeErasure(counts).map((line) => (
          <li>{line}</li>
        ))}
      </ul>
    </section>
  )
}

function ConfirmErasure({ email, counts }: { email: string; counts: ErasureCounts }) {
  return (
    <form method="post" action="/admin/privacy/erase" class="panel stack" id="confirm-erasure">
      <Counts title={`Would erase ${email}`} counts={counts} />
      <p>This cannot be undone. Type the address again to confirm.</p>
      <input type="hidden" name="email" value={email} />
      <label for="erase-confirm">Address</label>
      <input id="erase-confirm" name="confirm" type="email" required maxlength={320} autocomplete="off" />
      <button type="submit" class="danger">
        Erase {email}
      </button>
      <a href="/admin/privacy">Cancel</a>
    </form>
  )
}

function ExportForm() {
  return (
    <form method="post" action="/admin/privacy/export" class="panel stack">
      <h2>Export a person's data</h2>
      <p class="muted">Everything held about them (access request): a zip of JSON and their mail as .eml. The export is audited.</p>
      <label for="export-email">Their email address</label>
      <input id="export-email" name="email" type="email" required maxlength={320} autocomplete="off" />
      <button type="submit">Download the export</button>
    </form>
  )
}
