import { describe, expect, it } from 'vitest'
import { MAX_FRAMED_HTML_TAGS, sanitizeEmailHtml, sanitizeEmailHtmlBounded } from '../../src/http/sanitize.ts'

// The framed HTML view sanitizes on the request's thread: hostile nesting that sanitize-html
// handles in quadratic time must be refused by a linear pre-check, never sanitized.
describe('sanitizing customer HTML for the framed view', () => {
  it('refuses, in linear time, HTML whose tags would make the sanitizer quadratic', () => {
    const hostile = [
      '<div>'.repeat(50_000) + '</span>'.repeat(50_000),
      '<div>'.repeat(100_000),
      `<p>${'<b>x</b>'.repeat(MAX_FRAMED_HTML_TAGS)}</p>`,
    ]
    for (const html of hostile) {
      const started = performance.now()
      expect(sanitizeEmailHtmlBounded(html)).toBeNull()
      expect(performance.now() - started).toBeLessThan(200)
    }
  })

  it('sanitizes ordinary mail exactly as before', () => {
    const html = '<p>Hello <b>there</b><script>alert(1)</script><img src="https://t.example/p.gif"></p>'
    expect(sanitizeEmailHtmlBounded(html)).toBe(sanitizeEmailHtml(html))
    expect(sanitizeEmailHtmlBounded(html)).toBe('<p>Hello <b>there</b></p>')
  })

  it('counts only what a tokeniser reads as tags: a page of "<" signs in text is not refused', () => {
    const text = `<p>${'1 < 2 and 3 <= 4 '.repeat(5000)}</p>`
    expect(sanitizeEmailHtmlBounded(text)).not.toBeNull()
  })
})
