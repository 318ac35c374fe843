-- Merging two cases that turn out to be one complaint (the BBB notice and the customer's own
-- mail, two executives' forwards intake did not join). The merged case keeps its row (the audit
-- trail, its drafts, approvals and sends refer to it) and names the case that carries on:
--
-- * Its thread and notes, its dedupe keys, a reference, customer, owner or reply thread the
--   surviving case lacks, and its forwarders move to the survivor; the survivor is opened at the
--   earlier arrival (src/cases/merge.ts then recomputes its clocks with the SLA code).
-- * Its drafts, approvals and sends stay where they were made: versions are immutable and each
--   approval names its case. The survivor's page lists them (GET /cases/:id/merged).
-- * It is closed, with "merged into ESC-n" as the reason, so the queue, the digest and every
--   figure that counts open work leave it out, and a merged case never reopens: mail that would
--   have joined it is filed on the survivor, and its status no longer changes.
--
-- Only merge_case() moves anything, as the owner: case_keys is insert-only for desk_app, and the
-- rules (an active approver or admin, one organization, not into itself or a merged case, not
-- into a finished one) hold whoever calls it.

alter table cases
  add column merged_into uuid references cases (id),
  add column merged_at timestamptz,
  add constraint cases_not_merged_into_self check (merged_into <> id),
  add constraint cases_merged_at check ((merged_into is null) = (merged_at is null));
create index cases_merged_into on cases (merged_into) where merged_into is not null;

-- Refusals are raised with one line a person can act on: no_data_found for a case this org
-- does not have (a 404: another org's case is never confirmed), insufficient_privilege for a
-- role that may not merge, check_violation for a merge the rules refuse.
create function merge_case(p_actor uuid, p_from uuid, p_into uuid, p_reason text) returns jsonb
  language plpgsql security definer set search_path = public
  as $$
  declare
    org uuid := app_org_id();
    actor app_users;
    f cases;
    i cases;
    moved_messages integer;
    moved_keys integer;
    repointed integer;
    take_ref boolean;
    take_key boolean;
    take_owner boolean;
    new_forwarders text[];
  begin
    if org is null then
      raise exception 'refused: no organization is set for this transaction' using errcode = 'insufficient_privilege';
    end if;
    select * into actor from app_users where id = p_actor and org_id = org;
    if actor.id is null or actor.disabled_at is not null or actor.role not in ('approver', 'admin') then
      raise exception 'Only an approver or admin can merge cases.' using errcode = 'insufficient_privilege';
    end if;
    if length(trim(coalesce(p_reason, ''))) = 0 then
      raise exception 'Give the reason for merging the cases.' using errcode = 'check_violation';
    end if;

    -- Both rows locked, in id order, so A -> B and B -> A at once wait for each other instead of
    -- deadlocking; the second then sees the first's outcome below and is refused. NO KEY UPDATE,
    -- as lockCase: inserts that reference a case (messages, audit events) take KEY SHARE.
    perform 1 from cases where id in (p_from, p_into) and org_id = org order by id for no key update;
    select * into f from cases where id = p_from and org_id = org;
    select * into i from cases where id = p_into and org_id = org;
    if f.id is null or i.id is null then
      raise exception 'That case does not exist.' using errcode = 'no_data_found';
    end if;
    if f.id = i.id then
      raise exception 'ESC-% cannot be merged into itself.', f.number using errcode = 'check_violation';
    end if;
    if f.merged_into is not null then
      raise exception 'ESC-% was already merged into ESC-%.', f.number, (select number from cases where id = f.merged_into)
        using errcode = 'check_violation';
    end if;
    if i.merged_into is not null then
      raise exception 'ESC-% was merged into ESC-%; merge into that case instead.', i.number,
        (select number from cases where id = i.merged_into) using errcode = 'check_violation';
    end if;
    if i.status in ('resolved', 'closed') then
      raise exception 'ESC-% is %; reopen it before merging ESC-% into it.', i.number, i.status, f.number
        using errcode = 'check_violation';
    end if;

    -- The thread and notes (the search documents of both cases follow, messages_search_trigger).
    update messages set case_id = i.id where case_id = f.id;
    get diagnostics moved_messages = row_count;
    update case_keys set case_id = i.id where case_id = f.id;
    get diagnostics moved_keys = row_count;

    -- What the survivor lacks, the merged case gives; both keep what is theirs otherwise. The
    -- unique columns (reference, original key) are cleared on the merged case first.
    take_ref := i.external_ref is null and f.external_ref is not null;
    take_key := i.original_key is null and f.original_key is not null;
    take_owner := i.owner_id is null and f.owner_id is not null;
    new_forwarders := array(select x from unnest(f.forwarded_by) with ordinality as t(x, n)
                            where not x = any (i.forwarded_by) order by n);
    update cases set
      external_ref = case when take_ref then null else external_ref end,
      original_key = case when take_key then null else original_key end
    where id = f.id and (take_ref or take_key);
    update cases set
      external_ref = case when take_ref then f.external_ref else external_ref end,
      original_key = case when take_key then f.original_key else original_key end,
      customer_email = coalesce(customer_email, f.customer_email),
      customer_name = coalesce(customer_name, f.customer_name),
      account_id = coalesce(account_id, f.account_id),
      reply_to_message_id = coalesce(reply_to_message_id, f.reply_to_message_id),
      reply_references = case when reply_to_message_id is null then f.reply_references else reply_references end,
      forwarded_by = forwarded_by || new_forwarders,
      owner_id = case when take_owner then f.owner_id else owner_id end,
      owner_assigned_at = case when take_owner then f.owner_assigned_at else owner_assigned_at end,
      acknowledged_at = case when take_owner then f.acknowledged_at else acknowledged_at end,
      status = case when take_owner and status = 'new' then 'triaged' else status end,
      -- The clocks' facts: the earliest arrival, the first reply either case sent, the latest one.
      opened_at = least(opened_at, f.opened_at),
      first_response_at = least(first_response_at, f.first_response_at),
      last_outbound_at = greatest(last_outbound_at, f.last_outbound_at),
      updated_at = now()
    where id = i.id;

    -- The merged case: closed, pointing at the survivor. Its reply token is retired, so a reply
    -- to one of its sends threads by In-Reply-To onto the survivor, which now holds that send.
    -- Cases merged into it earlier now point at the survivor too (one hop, always).
    update cases set
      merged_into = i.id, merged_at = now(), status = 'closed', closed_at = now(),
      close_reason = 'merged into ESC-' || i.number || ': ' || trim(p_reason),
      reply_token = replace(gen_random_uuid()::text, '-', ''), updated_at = now()
    where id = f.id;
    update cases set merged_into = i.id where merged_into = f.id;
    get diagnostics repointed = row_count;

    return jsonb_build_object(
      'from', jsonb_build_object('id', f.id, 'number', f.number, 'status', f.status, 'openedAt', f.opened_at),
      'into', jsonb_build_object('id', i.id, 'number', i.number, 'openedAt', i.opened_at,
                                 'openedAtNow', least(i.opened_at, f.opened_at)),
      'messages', moved_messages,
      'keys', moved_keys,
      'externalRef', case when take_ref then f.external_ref end,
      'otherExternalRef', case when not take_ref then f.external_ref end,
      'forwarders', to_jsonb(new_forwarders),
      'ownerId', case when take_owner then f.owner_id end,
      'repointed', repointed);
  end
  $$;
revoke all on function merge_case(uuid, uuid, uuid, text) from public;
grant execute on function merge_case(uuid, uuid, uuid, text) to desk_app;

-- A merged case stays merged and closed: only merge_case() (the owner) sets or moves
-- merged_into, and nothing changes its status. Mail that finds a merged case by its reference
-- is filed on the survivor (below); what follows it in intake (reopening the case the mail was
-- matched to) is refused here rather than reopening a case nobody sees.
create function cases_guard_merge() returns trigger
  language plpgsql
  as $$
  begin
    if (new.merged_into, new.merged_at) is distinct from (old.merged_into, old.merged_at)
       and current_user <> (select pg_get_userbyid(relowner) from pg_class where oid = 'cases'::regclass) then
      raise exception 'refused: cases are merged only through merge_case()' using errcode = 'insufficient_privilege';
    end if;
    if old.merged_into is not null and new.status is distinct from old.status then
      raise exception 'ESC-% was merged into ESC-%; work on that case instead.', old.number,
        (select number from cases where id = new.merged_into) using errcode = 'check_violation';
    end if;
    return new;
  end
  $$;
create trigger cases_guard_merge before update on cases for each row execute function cases_guard_merge();

-- Anything filed on a merged case after the merge (a message, a note, a dedupe key) lands on
-- the survivor, whichever path found the merged case.
create function file_on_surviving_case() returns trigger
  language plpgsql
  as $$
  declare
    survivor uuid;
  begin
    select merged_into into survivor from cases where id = new.case_id;
    if survivor is not null then
      new.case_id := survivor;
    end if;
    return new;
  end
  $$;
create trigger messages_file_on_survivor before insert on messages
  for each row execute function file_on_surviving_case();
create trigger case_keys_file_on_survivor before insert on case_keys
  for each row execute function file_on_surviving_case();
