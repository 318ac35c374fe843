-- Subjects are stored whole. A draft's subject is "Re: " and the customer's, and the customer
-- chose its length: the 300-character limit of 00006 failed the draft job on every attempt for
-- a long one, and the case waited for a draft that could never be written. The only real limit
-- is the Subject header of the mail that leaves, which the transport shortens
-- (src/outbound/headers.ts, outgoingSubject); the draft, the approval's hash and the sent copy
-- in the thread keep the whole text. The one-line rule (00011) stays: that one protects headers.

alter table drafts drop constraint drafts_subject_check;
