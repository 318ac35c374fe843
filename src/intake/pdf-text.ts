// The text of a letter attached as a PDF (a body's notice, counsel's letter, a claim form), so the
// readers see what a person sees when they open it. pdf.js through unpdf, on the analysis worker
// like every other untrusted parse (its time limit and heap cap hold for a hostile PDF too), and
// bounded here: small files, the first pages, a bounded text.
//
// Node only. The module is imported by a name the bundlers do not follow, so the Workers bundle
// stays small; there (and wherever unpdf cannot load) a PDF simply adds no text.

const MAX_PDF_BYTES = 8 * 1024 * 1024
const MAX_PAGES = 6
const MAX_CHARS = 40_000

type Unpdf = {
  getDocumentProxy(data: Uint8Array, options?: Record<string, unknown>): Promise<PdfDocument>
}
type PdfDocument = {
  numPages: number
  getPage(n: number): Promise<{ getTextContent(): Promise<{ items: { str?: string; hasEOL?: boolean }[] }> }>
  loadingTask?: { destroy(): Promise<void> }
}

let loading: Promise<Unpdf | null> | null = null
const specifier = ['un', 'pdf'].join('')

function unpdf(): Promise<Unpdf | null> {
  loading ??= (import(/* @vite-ignore */ specifier) as Promise<Unpdf>).catch(() => null)
  return loading
}

export const isPdf = (a: { filename?: string | null; mimeType: string }) =>
  /^application\/(?:x-)?pdf$/i.test(a.mimeType) || /\.pdf$/i.test(a.filename ?? '')

/** The PDF's text (lines as the PDF breaks them), or null when it has none, is too large, or cannot be read. */
export async function pdfText(bytes: Uint8Array, deadline: number): Promise<string | null> {
  if (bytes.byteLength === 0 || bytes.byteLength > MAX_PDF_BYTES || Date.now() >= deadline) return null
  const lib = await unpdf()
  if (!lib) return null
  let doc: PdfDocument | null = null
  try {
    // A copy: pdf.js takes ownership of (detaches) the buffer it is given.
    doc = await lib.getDocumentProxy(bytes.slice(), { isEvalSupported: false, disableFontFace: true, stopAtErrors: false, verbosity: 0 })
    let text = ''
    for (let n = 1; n <= Math.min(doc.numPages, MAX_PAGES) && text.length < MAX_CHARS && Date.now() < deadline; n++) {
      const page = await doc.getPage(n)
      const content = await page.getTextContent()
      for (const item of content.items) {
        text += (item.str ?? '') + (item.hasEOL ? '\n' : '')
        if (text.length >= MAX_CHARS) break
      }
      text += '\n'
    }
    const trimmed = text.slice(0, MAX_CHARS).trim()
    return trimmed || null
  } catch {
    return null
  } finally {
    await doc?.loadingTask?.destroy().catch(() => {})
  }
}
