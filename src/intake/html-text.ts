import { Tokenizer, type TokenizerCallbacks } from 'htmlparser2'

/**
 * HTML beyond this many characters is not turned into text. Mail HTML that long is markup, not
 * prose (a newsletter's text is a small fraction of its HTML), and every signal intake looks for
 * sits in the first pages. The HTML itself is stored whole, with the raw message, and the portal's
 * sanitized view shows all of it; only the text rendering stops, and says so.
 */
export const MAX_HTML_CHARS = 1_000_000
export const TRUNCATION_NOTE = '[The rest of this HTML message is not shown as text.]'

// Their opening and closing tags both end a line; the end of a paragraph or heading leaves a blank line.
const BLOCK_TAGS = new Set([
  'p',
  'div',
  'tr',
  'li',
  'ul',
  'ol',
  'table',
  'blockquote',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'pre',
  'section',
  'article',
  'header',
  'footer',
  'hr',
  'dl',
  'dt',
  'dd',
])
const BLANK_AFTER = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6'])
// Active or invisible content: nothing inside them is text a reader sees.
const DROPPED_TAGS = new Set(['script', 'style', 'head', 'title', 'template', 'noscript', 'svg'])

/**
 * Readable text from hostile HTML: tags and active content go, line structure stays.
 *
 * Linear in the input: htmlparser2's tokenizer reads each character once, and nothing here keeps
 * an element stack (htmlparser2's Parser does, and its array shifts make 100,000 nested tags cost
 * seconds). The regular expressions this replaced took minutes on "Hello " + many `<`.
 */
export function htmlToText(html: string): string {
  const truncated = html.length > MAX_HTML_CHARS
  const input = truncated ? html.slice(0, MAX_HTML_CHARS) : html
  const out = new TextLines()
  const callbacks = textCallbacks(input, out)
  const tokenizer = new Tokenizer({ decodeEntities: true }, callbacks)
  tokenizer.write(input)
  tokenizer.end()
  const text = out.finish()
  return truncated ? `${text}\n\n${TRUNCATION_NOTE}`.trim() : text
}

/** The tokenizer's callbacks: text outside active content goes to `out`, tags become line structure. */
function textCallbacks(input: string, out: TextLines): TokenizerCallbacks {
  let dropped = 0 // depth inside DROPPED_TAGS elements
  let openTag = ''
  const tagName = (start: number, end: number) => input.slice(start, end).toLowerCase()

  return {
    ontext(start, end) {
      if (dropped === 0) out.text(input.slice(start, end))
    },
    ontextentity(codepoint) {
      // An entity is content even when it decodes to a space: "<div>&nbsp;</div>" is an empty line.
      if (dropped === 0) out.content(String.fromCodePoint(codepoint))
    },
    onopentagname(start, end) {
      openTag = tagName(start, end)
      if (DROPPED_TAGS.has(openTag)) {
        if (dropped++ === 0) out.text(' ')
        return
      }
      // A missing </head> would otherwise hide the whole message; a browser ends the head here.
      if (openTag === 'body' && dropped > 0) dropped = 0
      if (dropped > 0) return
      if (openTag === 'br') out.lineBreak()
      else if (BLOCK_TAGS.has(openTag)) out.blockEdge(false)
    },
    onselfclosingtag() {
      // Only foreign content honours "/>" (<svg/>); <script/> or <style/> still open an element.
      if (openTag === 'svg' && dropped > 0) dropped--
    },
    onclosetag(start, end) {
      const name = tagName(start, end)
      if (DROPPED_TAGS.has(name)) {
        if (dropped > 0) dropped--
        return
      }
      if (dropped > 0) return
      if (BLOCK_TAGS.has(name)) out.blockEdge(BLANK_AFTER.has(name))
      else if (name === 'td' || name === 'th') out.cell()
    },
    oncomment() {
      if (dropped === 0) out.text(' ')
    },
    oncdata() {},
    ondeclaration() {},
    onprocessinginstruction() {},
    onattribname() {},
    onattribdata() {},
    onattribentity() {},
    onattribend() {},
    onopentagend() {},
    onend() {},
  }
}

/**
 * Collects text the way a browser lays it out: source whitespace is one space, adjacent block
 * edges ("</div><div>") make one line break (a blank line when a paragraph or heading ended),
 * and spaces or cell gaps next to a block edge vanish. `<br>` is a hard break of its own.
 */
class TextLines {
  private readonly pieces: string[] = []
  /** Block edges seen since the last text: 0 none, 1 a line break, 2 a blank line. */
  private pending: 0 | 1 | 2 = 0

  /** Source text: its whitespace collapses to one space, which vanishes next to a block edge. */
  text(raw: string) {
    const s = raw.replace(/\s+/g, ' ')
    if (this.pending === 0) return void this.pieces.push(s)
    if (s === ' ' || s === '') return
    this.flush()
    this.pieces.push(s.charCodeAt(0) === 32 ? s.slice(1) : s)
  }

  /** Text that stays as it is (a decoded entity). */
  content(s: string) {
    this.flush()
    this.pieces.push(s)
  }

  blockEdge(blank: boolean) {
    if (blank) this.pending = 2
    else if (this.pending === 0) this.pending = 1
  }

  lineBreak() {
    this.flush()
    this.pieces.push('\n')
  }

  cell() {
    if (this.pending === 0) this.pieces.push('\t')
  }

  finish(): string {
    // Every step is one linear pass: split, a single-class run per line, trims.
    return this.pieces
      .join('')
      .split('\n')
      .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim()
  }

  private flush() {
    if (this.pending) this.pieces.push(this.pending === 2 ? '\n\n' : '\n')
    this.pending = 0
  }
}
