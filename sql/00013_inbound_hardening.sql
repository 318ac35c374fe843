-- A redelivered message (a provider's retry, a replayed webhook) is recognised before a second raw
-- copy is stored: intake looks for an earlier raw row of the org with the same bytes.
create index inbound_raw_org_sha256 on inbound_raw (org_id, sha256);
