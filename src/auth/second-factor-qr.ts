import QRCode from 'qrcode'

// The TOTP enrolment's QR code: the otpauth:// URI drawn as an inline SVG on the server, so the
// page needs no script and no image request. The SVG has no style attribute and no script (the
// CSP allows neither); its size is two attributes the page's nonce'd stylesheet may shrink.

/** Modules of quiet zone on each side: four, as ISO/IEC 18004 asks, so phone cameras find it. */
export const QR_MARGIN = 4

/** The symbol's dark modules, row by row (true: dark), for the URI. */
export function qrModules(uri: string): boolean[][] {
  const { modules } = QRCode.create(uri, { errorCorrectionLevel: 'M' })
  return Array.from({ length: modules.size }, (_, y) => Array.from({ length: modules.size }, (_, x) => modules.get(x, y) === 1))
}

/**
 * The URI's QR code as an SVG element: one path of unit-high runs of dark modules on a white
 * square, crisp edges, 300 px square by default (4.9 px a module for a typical otpauth URI:
 * version 9, 53 modules); a title for screen readers (the key and link beside it are the text
 * alternative a person can type).
 */
export function totpQrSvg(uri: string, title: string, id = 'totp-qr'): string {
  const rows = qrModules(uri)
  const side = rows.length + 2 * QR_MARGIN
  let path = ''
  rows.forEach((row, y) => {
    for (let x = 0; x < row.length; x++) {
      if (!row[x]) continue
      const start = x
      while (x + 1 < row.length && row[x + 1]) x++
      path += `M${start + QR_MARGIN} ${y + QR_MARGIN}h${x - start + 1}v1h-${x - start + 1}z`
    }
  })
  const escapedTitle = title.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" id="${id}" class="totp-qr" role="img" aria-labelledby="${id}-title" ` +
    `width="300" height="300" viewBox="0 0 ${side} ${side}" shape-rendering="crispEdges">` +
    `<title id="${id}-title">${escapedTitle}</title>` +
    `<rect width="${side}" height="${side}" fill="#ffffff"/><path fill="#000000" d="${path}"/></svg>`
  )
}
