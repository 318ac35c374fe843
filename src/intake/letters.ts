// A letter attached as a PDF, read with the mail that carries it: the notice or counsel's letter
// is read from the mail's own words first, and the letter only fills in what they leave open
// (the consumer's address, the client, the reference), or makes the mail one when it alone is
// neither. Never the customer's own words.
import { readCounselLetter, type CounselReading } from './counsel.ts'
import { displayName, isFullerName, stripHonorifics } from './names.ts'
import type { NoticeReading } from './notice-types.ts'
import { readNotice } from './notices.ts'
import type { OrgContext } from './org-context.ts'
import type { Address } from './parse.ts'
import { fold } from './words.ts'

export type LetterText = { from: Address | null; replyTo: Address[]; to: Address[]; subject: string; text: string }

/**
 * The notice or counsel's letter, read from the mail's own words first; an attached letter's
 * text only fills in what they leave open (the consumer's address, the client, the reference),
 * or, when the mail alone is neither, makes it one. A pro-se claimant's own mail with the claim
 * form attached names the sender as the claimant: that is the customer writing, not counsel.
 */
export function readLetters(
  plain: LetterText,
  full: LetterText,
  org: OrgContext,
  extra: { attachmentNames: string[]; bulk: boolean; notes: string },
): { notice: NoticeReading | null; counsel: CounselReading | null } {
  const noticeOf = (doc: LetterText) => readNotice({ ...doc, attachmentNames: extra.attachmentNames, bulk: extra.bulk }, org)
  const counselOf = (doc: LetterText) => {
    const reading = readCounselLetter({ ...doc, attachmentNames: extra.attachmentNames, notes: extra.notes }, org)
    return reading && !isOwnClaim(reading, doc.from) ? reading : null
  }
  const hasLetters = full !== plain
  const notice = noticeOf(plain)
  if (notice) return { notice: hasLetters ? fillNotice(notice, noticeOf(full)) : notice, counsel: null }
  const counsel = counselOf(plain)
  if (counsel) return { notice: null, counsel: hasLetters ? fillCounsel(counsel, counselOf(full)) : counsel }
  if (!hasLetters) return { notice: null, counsel: null }
  const fullNotice = noticeOf(full)
  return { notice: fullNotice, counsel: fullNotice ? null : counselOf(full) }
}

function fillNotice(plain: NoticeReading, full: NoticeReading | null): NoticeReading {
  if (!full || full.channel.kind !== plain.channel.kind) return plain
  const consumer = {
    name: fuller(plain.consumer.name, full.consumer.name),
    email: plain.consumer.email ?? full.consumer.email,
  }
  const reference = plain.reference ?? full.reference
  const customer = [
    ...plain.reasons.customer.filter(
      (r) => !(consumer.email && /gives no address/.test(r)) && !(consumer.name && /names no consumer/.test(r)),
    ),
    ...(consumer.name !== plain.consumer.name || consumer.email !== plain.consumer.email
      ? full.reasons.customer.filter((r) => !/names no consumer|gives no address/.test(r)).map((r) => `${r} (in the attached letter)`)
      : []),
  ]
  return {
    ...plain,
    consumer,
    reference,
    channel: { ...plain.channel, reference: reference?.value ?? null },
    reasons: { channel: plain.reasons.channel, customer },
  }
}

function fillCounsel(plain: CounselReading, full: CounselReading | null): CounselReading {
  if (!full) return plain
  const reference = plain.reference ?? full.reference
  const name = fuller(plain.client.name, full.client.name)
  const fromLetter = name !== plain.client.name
  return {
    ...plain,
    client: { name, email: null },
    reference,
    lawsuit: plain.lawsuit ?? full.lawsuit,
    channel: { ...plain.channel, reference: reference?.value ?? null },
    reasons: fromLetter
      ? { ...plain.reasons, customer: full.reasons.customer.map((r, i) => (i === 0 ? `${r} (in the attached letter)` : r)) }
      : plain.reasons,
  }
}

/** The mail's own reading of a name, unless the attached letter spells the same name out in full. */
const fuller = (plain: string | null, full: string | null) => (!plain ? full : full && isFullerName(full, plain) ? full : plain)

/** The "client" is the sender themselves: a claimant writing about their own claim. */
function isOwnClaim(reading: CounselReading, from: Address | null): boolean {
  const client = reading.client.name
  const sender = displayName(from?.name)
  if (!client || !sender) return false
  const words = (n: string) =>
    fold(n)
      .toLowerCase()
      .split(/[^\p{L}]+/u)
      .filter(Boolean)
      .sort()
      .join(' ')
  return words(client) === words(stripHonorifics(sender))
}
