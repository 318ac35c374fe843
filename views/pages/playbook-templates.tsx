import type { TemplateVersion } from '../../src/playbook/queries.ts'
import type { TemplatePreview } from '../../src/playbook/preview.ts'
import { houseKindLabels, houseKinds, templateFields, type HouseKind } from '../../src/playbook/template-fields.ts'
import { Flash, formatTime } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

// /admin/templates: the team's own wording for the playbook's five messages, versioned.

export function TemplatesPage({ current }: { current: TemplateVersion[] }) {
  return (
    <Layout title="Templates">
      <section class="panel narrow-wide">
        <h1>Templates</h1>
        <p class="muted">
          Your team's wording for the playbook's messages. Template drafts (no AI, or when the model fails) are filled from them, and the
          model is shown them as your house style. A kind you never saved uses the desk's built-in wording. Letters to lawyers and
          regulators always use the desk's receipt-only acknowledgment.
        </p>
        <table class="stack-on-phone">
          <thead>
            <tr>
              <th scope="col">Template</th>
              <th scope="col">In use</th>
            </tr>
          </thead>
          <tbody>
            {houseKinds.map((kind) => {
              const t = current.find((c) => c.kind === kind)
              return (
                <tr>
                  <th scope="row" data-label="Template">
                    <a href={`/admin/templates/${kind}`}>{houseKindLabels[kind]}</a>
                  </th>
                  <td data-label="In use">
                    {t ? `Version ${t.version}, ${formatTime(t.createdAt)}${t.createdByName ? ` by ${t.createdByName}` : ''}` : 'Built-in'}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </section>
    </Layout>
  )
}

type EditorProps = {
  kind: HouseKind
  body: string
  versions: TemplateVersion[]
  preview: TemplatePreview
  notice?: string
  error?: string
  previewing?: boolean
}

export function TemplateEditorPage({ kind, body, versions, preview, notice, error, previewing }: EditorProps) {
  const label = houseKindLabels[kind]
  return (
    <Layout title={`${label} template`}>
      <p class="crumbs">
        <a href="/admin/templates">← Templates</a>
      </p>
      <section class="panel narrow-wide">
        <h1>{label}</h1>
        <Flash error={error} notice={notice} focus={Boolean(error || notice)} />
        <p class="muted">
          {versions[0]
            ? `Version ${versions[0].version} is in use.`
            : "Not saved yet: drafts use the desk's built-in wording. The text below is the playbook's, to start from."}{' '}
          The subject is always "Re: " and the customer's own subject, so the reply stays in their thread.
        </p>
        <form method="post" action={`/admin/templates/${kind}`} class="stack">
          <label class="field">
            <span>Text</span>
            <textarea name="body" rows={18} maxlength={20000} required>
              {body}
            </textarea>
          </label>
          <div class="actions">
            <button type="submit" name="intent" value="preview" class="secondary">
              Preview
            </button>
            <button type="submit" name="intent" value="save">
              Save as a new version
            </button>
          </div>
        </form>
        <details open={previewing}>
          <summary>Fields the desk fills</summary>
          <dl class="template-fields">
            {Object.entries(templateFields).map(([name, means]) => (
              <>
                <dt>
                  <code>{`{${name}}`}</code>
                </dt>
                <dd>{means}</dd>
              </>
            ))}
          </dl>
          <p class="muted">
            Any other <code>{'{field}'}</code> (like <code>{'{what_happened}'}</code>), or one the case has no value for, stays in the draft
            as written: approval is blocked until a person fills it.
          </p>
        </details>
      </section>
      <section class="panel narrow-wide" id="template-preview" aria-labelledby="preview-heading">
        <h2 id="preview-heading">Preview (a sample case)</h2>
        {preview.blocksApproval ? (
          <p class="warn-text">
            {preview.unfilled.length
              ? `A person fills ${preview.unfilled.map((f) => `{${f}}`).join(', ')} on each draft; until then approval is blocked.`
              : 'The text has a placeholder the guardrails block: approval waits until a person fills it.'}
          </p>
        ) : null}
        <pre class="template-preview">{preview.text}</pre>
      </section>
      {versions.length ? (
        <section class="panel narrow-wide" aria-labelledby="versions-heading">
          <h2 id="versions-heading">Versions</h2>
          <ol class="template-versions" reversed>
            {versions.map((v) => (
              <li>
                <details>
                  <summary>
                    Version {v.version}, {formatTime(v.createdAt)}
                    {v.createdByName ? ` by ${v.createdByName}` : ''}
                    {v === versions[0] ? ' (in use)' : ''}
                  </summary>
                  <pre class="template-preview">{v.body}</pre>
                  {v === versions[0] ? null : (
                    <form method="post" action={`/admin/templates/${kind}`}>
                      <input type="hidden" name="body" value={v.body} />
                      <button type="submit" name="intent" value="save" class="secondary">
                        Use this wording again (saved as a new version)
                      </button>
                    </form>
                  )}
                </details>
              </li>
            ))}
          </ol>
        </section>
      ) : null}
    </Layout>
  )
}
