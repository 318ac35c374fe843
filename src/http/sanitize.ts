import sanitizeHtml from 'sanitize-html'

// sanitize-html keeps a stack of open elements and is quadratic on hostile nesting (100,000
// nested <div>s took 2.3 s, 50,000 <div>s plus 50,000 </span>s 6 s, on the request's thread).
// Real mail, newsletters included, stays far below these bounds; past them the framed view shows
// a notice instead of the formatting, and the text of the message is unaffected.
export const MAX_FRAMED_HTML_CHARS = 1024 * 1024
export const MAX_FRAMED_HTML_TAGS = 20_000

/** Counts tag openings in one linear pass, stopping at the bound. */
function tooManyTags(html: string): boolean {
  let tags = 0
  for (let at = html.indexOf('<'); at !== -1; at = html.indexOf('<', at + 1)) {
    const next = html.charCodeAt(at + 1)
    // a-z, A-Z, '/', '!': what a tokeniser would read as a tag, a closing tag or a comment.
    if ((next >= 65 && next <= 90) || (next >= 97 && next <= 122) || next === 47 || next === 33) {
      if (++tags > MAX_FRAMED_HTML_TAGS) return true
    }
  }
  return false
}

/** Null when the HTML is too large or has too many tags to sanitize within a bounded time. */
export function sanitizeEmailHtmlBounded(html: string, inlineImages: InlineImages = new Map()): string | null {
  if (html.length > MAX_FRAMED_HTML_CHARS || tooManyTags(html)) return null
  return sanitizeEmailHtml(html, inlineImages)
}

/** The message's own inline images by Content-ID (lower case, no angle brackets), as data: URIs. */
export type InlineImages = ReadonlyMap<string, string>

/** "cid:Logo@x" → "logo@x" (RFC 2392: the Content-ID, URL-encoded), or null for any other src. */
function contentIdOf(src: string | undefined): string | null {
  const m = /^cid:(.+)$/i.exec(src?.trim() ?? '')
  if (!m) return null
  try {
    return decodeURIComponent(m[1]!).replace(/^<|>$/g, '').toLowerCase()
  } catch {
    return null
  }
}

/**
 * Customer HTML is hostile (README promise 8). Only formatting survives: no scripts, no event
 * handlers, no styles that can overlay or exfiltrate, no remote images (tracking pixels), no
 * forms. It is shown only inside a sandboxed frame whose own CSP forbids scripts and loads.
 */
export function sanitizeEmailHtml(html: string, inlineImages: InlineImages = new Map()): string {
  return sanitizeHtml(html, {
    allowedTags: [
      'p',
      'br',
      'div',
      'span',
      'b',
      'strong',
      'i',
      'em',
      'u',
      's',
      'blockquote',
      'pre',
      'code',
      'ul',
      'ol',
      'li',
      'h1',
      'h2',
      'h3',
      'h4',
      'h5',
      'h6',
      'table',
      'thead',
      'tbody',
      'tfoot',
      'tr',
      'td',
      'th',
      'hr',
      'a',
      'img',
      'small',
      'sub',
      'sup',
    ],
    allowedAttributes: {
      a: ['href', 'title'],
      img: ['src', 'alt', 'width', 'height'],
      td: ['colspan', 'rowspan'],
      th: ['colspan', 'rowspan'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['data'] },
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    transformTags: {
      a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }),
      // An image of the message itself (cid:) is shown from its stored part, as data: (the frame's CSP loads nothing else).
      img: (tagName, attribs) => {
        const cid = contentIdOf(attribs.src)
        const data = cid ? inlineImages.get(cid) : undefined
        return { tagName, attribs: data ? { ...attribs, src: data } : attribs }
      },
    },
    // Scheme checks pass relative URLs (src="x" would fetch from the desk itself): only inline images stay.
    exclusiveFilter: (frame) => frame.tag === 'img' && !/^data:image\//i.test(frame.attribs.src ?? ''),
  })
}

/** Headers for the framed copy: even if the sanitizer missed something, nothing may run or load. */
export const framedHtmlHeaders = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox; frame-ancestors 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'private, no-store',
}
