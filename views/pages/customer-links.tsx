import { caseLabel } from '../../src/cases/terms.ts'
import { ratingLabels } from '../../src/csat/csat.ts'
import type { CustomerCase } from '../../src/csat/links.ts'
import { Layout } from '../components/layout.tsx'

// Pages behind the links in a resolution message. Opening one changes nothing (mail scanners
// follow links); only the button, which POSTs, records the rating or the confirmation.

export function RatePage({
  token,
  kase,
  rating,
  comment,
  error,
}: {
  token: string
  kase: CustomerCase
  rating: number | null
  comment?: string
  error?: string | null
}) {
  return (
    <Layout title={`Rate ${caseLabel(kase.number)}`} user={null} orgName={kase.orgName}>
      <section class="panel narrow customer-link">
        <h1>How did we do?</h1>
        <p>
          Your rating of how {kase.orgName} handled <strong>{caseLabel(kase.number)}</strong>, “{kase.subject}”.
        </p>
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
        <form method="post" action="/csat">
          <input type="hidden" name="t" value={token} />
          <fieldset class="rating">
            <legend>Your rating</legend>
            {[5, 4, 3, 2, 1].map((n) => (
              <label class="rating-choice">
                <input type="radio" name="rating" value={String(n)} checked={rating === n} required />
                <span>
                  {n} – {ratingLabels[n]}
                </span>
              </label>
            ))}
          </fieldset>
          <label for="comment">Anything you would like to add? (optional)</label>
          <textarea id="comment" name="comment" rows={4} maxlength={2000}>
            {comment ?? ''}
          </textarea>
          <button type="submit">Send my rating</button>
        </form>
        <p class="muted">Nothing is recorded until you press the button. The link works once.</p>
      </section>
    </Layout>
  )
}

export function ConfirmResolvedPage({ token, kase }: { token: string; kase: CustomerCase }) {
  return (
    <Layout title={`Confirm ${caseLabel(kase.number)}`} user={null} orgName={kase.orgName}>
      <section class="panel narrow customer-link">
        <h1>Is it resolved?</h1>
        <p>
          {kase.orgName} believes <strong>{caseLabel(kase.number)}</strong>, “{kase.subject}”, is resolved.
        </p>
        <form method="post" action="/confirm-resolution">
          <input type="hidden" name="t" value={token} />
          <button type="submit">Yes, it is resolved: close the case</button>
        </form>
        <p class="muted">
          Something still not right? Simply reply to our email instead: the case stays open and comes straight back to the person handling
          it.
        </p>
      </section>
    </Layout>
  )
}

export function CustomerNotice({ title, message, orgName }: { title: string; message: string; orgName?: string }) {
  return (
    <Layout title={title} user={null} orgName={orgName}>
      <section class="panel narrow customer-link">
        <h1>{title}</h1>
        <p>{message}</p>
      </section>
    </Layout>
  )
}
