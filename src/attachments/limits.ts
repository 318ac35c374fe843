// How much of inbound mail's files the desk keeps. The raw message is always kept whole
// (inbound_raw); these bound the decoded copies served for download. A file over a limit is
// still listed (name, type, size, SHA-256) with the reason it was not kept.

export type FileLimits = {
  /** Files kept per message (the mail's own and those of messages attached to it). */
  maxFiles: number
  /** Bytes of one file. */
  maxFileBytes: number
  /** Bytes of all the files kept of one message. */
  maxMessageBytes: number
  /** Bytes of attachments one organization keeps in all (attachment_usage). */
  maxOrgBytes: number
}

const MB = 1024 * 1024

export const defaultFileLimits: FileLimits = {
  maxFiles: 20,
  maxFileBytes: 25 * MB,
  maxMessageBytes: 50 * MB,
  maxOrgBytes: 10 * 1024 * MB,
}

/** "25 MB", "10 GB": how the reasons and the case page say a size. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`
  if (bytes < MB) return `${Math.round(bytes / 1024)} KB`
  if (bytes < 1024 * MB) return `${(bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0).replace(/\.0$/, '')} MB`
  return `${(bytes / (1024 * MB)).toFixed(1).replace(/\.0$/, '')} GB`
}

type Sized = { size: number; isMessage: boolean; content: Uint8Array | null; notKept: string | null }

/**
 * Decides which files of one message are kept, in place: letters and documents before attached
 * messages (whose own files are listed anyway), each file within its limit, then as many as fit
 * the message's limits in their order.
 */
export function applyMessageLimits<T extends Sized>(files: T[], limits: FileLimits): T[] {
  let kept = 0
  let bytes = 0
  const order = [...files.filter((f) => !f.isMessage), ...files.filter((f) => f.isMessage)]
  for (const file of order) {
    if (!file.content) continue
    const reason =
      file.size > limits.maxFileBytes
        ? `larger than ${formatBytes(limits.maxFileBytes)}, the limit for one file`
        : kept >= limits.maxFiles
          ? `more than ${limits.maxFiles} files in one message`
          : bytes + file.size > limits.maxMessageBytes
            ? `the message's files passed ${formatBytes(limits.maxMessageBytes)}, the limit for one message`
            : null
    if (reason) {
      file.content = null
      file.notKept = reason
      continue
    }
    kept++
    bytes += file.size
  }
  return files
}
