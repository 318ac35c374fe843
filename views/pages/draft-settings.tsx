import type { OrgDraftSettings } from '../../src/drafts/settings.ts'
import { Flash } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

type Props = {
  settings: OrgDraftSettings
  keyConfigured: boolean
  errors?: Record<string, string>
  notice?: string
}

export function DraftingSettingsPage({ settings, keyConfigured, errors = {}, notice }: Props) {
  return (
    <Layout title="Drafting">
      <section class="panel narrow-wide">
        <h1>Drafting</h1>
        <Flash error={errors.form} notice={notice} />
        <p class="muted">
          {keyConfigured
            ? 'An OpenAI key is configured for this desk.'
            : 'No OpenAI key is configured (OPENAI_API_KEY): every draft is a template filled with the case’s data.'}{' '}
          Drafts are never sent on their own: every reply waits for an approver.
        </p>
        <form method="post" action="/admin/drafting" class="stack">
          <label class="checkbox">
            <input type="checkbox" name="ai_enabled" checked={settings.ai_enabled} /> Write drafts with AI. When off, no case data is sent
            to the model: templates only.
          </label>
          <label class="field">
            <span>Sender name</span>
            <input
              type="text"
              name="sender_name"
              maxlength={200}
              value={settings.sender_name}
              placeholder="e.g. Jane Doe, Chief Executive Officer"
            />
            {errors.sender_name ? <p class="field-error">{errors.sender_name}</p> : null}
          </label>
          <label class="field">
            <span>Signature</span>
            <textarea name="signature" rows={4} placeholder={'Jane Doe\nChief Executive Officer\nExample Corp'}>
              {settings.signature}
            </textarea>
            <small class="muted">Ends every draft. Empty: the sender name and the organization’s name.</small>
            {errors.signature ? <p class="field-error">{errors.signature}</p> : null}
          </label>
          <button type="submit">Save</button>
        </form>
      </section>
    </Layout>
  )
}
