-- Erasure that reaches everything (issue 22). sql/00037's erase_person_as covered the person's
-- cases, their mail, files, drafts, replies, the dev mailbox and the audit details. A person is
-- held in more places than that; this migration's erase_person_as reaches each of them:
--
--   approvals.note            decision comments: '[erased]' on their cases, mentions tombstoned elsewhere
--   helpdesk_tickets          the ticket's URL dropped (the ticket id stays: a helpdesk's retry is
--                             still one ticket, one case, and does not open their case again)
--   jobs                      payloads and errors: free text of their cases' jobs, mentions elsewhere;
--                             their cases' pending jobs (a redraft, a chat post) cancelled
--   form_submissions          the double-submit guard's stored answers that show them: deleted
--   inbound_raw               mail holding their address anywhere (quarantined, unfiled, or cc'd on
--                             another customer's case): the raw bytes, envelope and summary
--   webhook_deliveries/_attempts, chat_deliveries   stored payloads, details, errors
--   case_war_rooms, recovery_plans/_items, incident_reviews, prevention_actions   notes
--   intake_examples           corrections of intake drawn from their mail: deleted
--   csat_responses            comments (their cases' were already removed)
--   customer_links            their cases' links expire (jti, purpose, ids: no personal text)
--   import_runs               a stored CSV's records naming them dropped; preview, report, file name
--   digest_runs, alerts_sent, internal_updates, escalation_steps, dev_mailbox   stored staff mail
--   saved_views, org_templates  queries and texts naming them
--   messages, drafts, outbox, cases, message_attachments of other cases   mentions tombstoned
--   case_keys                 their cases' dedupe keys (hashes of their address and text): deleted
--   case_search               rebuilt by its triggers from the tombstoned rows
--
-- Holding no customer's text, left as they are (each column was read): accounts (companies),
-- app_users, org_executives, stakeholder_lists, approver_assignments (staff); api_tokens and
-- api_token_windows (token names, counts: the API keeps no request log); sessions,
-- sign_in_devices, sign_in_mail_budget, link_request_limits, link_tokens, sso_*, totp_factors,
-- passkey_credentials, recovery_codes, webauthn_challenges, second_factor_failures (staff sign-in);
-- inbound_deliveries (provider ids and a status, case number and reason code per delivery);
-- approval_requests (hashes, fixed void reasons); audit_checkpoint_posts, audit_heads (hashes);
-- slack_threads (channel and message ids: the post itself lives in Slack, outside the desk);
-- chat_settings, helpdesk_connections, webhook_endpoints, event_subscriptions, sso_settings,
-- review_settings, escalation_policies, case_checklist_steps (fixed step names),
-- case_collaborators, escalation_acks, update_deadlines, ticket_counts, attachment_usage;
-- metrics_case_facts, metrics_rollups (sql/00040: counts and durations per case, day and week).
--
-- Two ways a value goes. A record of one of their cases loses its free text ('[erased]'); a
-- record of anything else loses only what names them: each occurrence of their address, one of
-- their names or one of their cases' subjects becomes '[erased]' (whole words, case-insensitive).
-- A dry run does the whole erasure in a subtransaction, counts it and rolls it back, so its
-- counts are exactly what the erasure would do.

-- A pattern matching any needle as a whole word (where it starts or ends with a letter or digit),
-- case-insensitive, longest first. Every character that is not a letter or digit is escaped.
create function erasure_pattern(needles text[]) returns text
  language sql immutable
  as $$
    select '(?:' || string_agg(case when n ~ '^\w' then '\m' else '' end
                               || regexp_replace(n, '([^[:alnum:]])', '\\\1', 'g')
                               || case when n ~ '\w$' then '\M' else '' end, '|' order by length(n) desc, n) || ')'
    from unnest(needles) n
  $$;

-- A text with each occurrence of the pattern replaced by '[erased]'. The tombstone is longer than
-- a short name; a text that grows is kept within max(its length, 300), so no length check a value
-- passed before (all are 300 or more) refuses it after.
create function erasure_text(v text, pat text) returns text
  language sql immutable
  as $$
    select case when v is null or v !~* pat then v
                else left(regexp_replace(v, pat, '[erased]', 'gi'), greatest(length(v), 300)) end
  $$;

create function erasure_array(v text[], pat text) returns text[]
  language sql immutable
  as $$ select case when v is null then null else array(select erasure_text(x, pat) from unnest(v) with ordinality u(x, n) order by n) end $$;

-- Every string (and key) of a JSON value through erasure_text; with all_words, also every string
-- holding words or an address ('[erased]' whole): what stays of a record of their case is its
-- identifiers, codes, numbers and times.
create function erasure_jsonb(v jsonb, pat text, all_words boolean) returns jsonb
  language plpgsql immutable
  as $$
  begin
    case jsonb_typeof(v)
      when 'string' then
        if all_words and (v #>> '{}') ~ '[\s@]' then
          return to_jsonb('[erased]'::text);
        end if;
        return to_jsonb(erasure_text(v #>> '{}', pat));
      when 'object' then
        return coalesce((select jsonb_object_agg(erasure_text(key, pat), erasure_jsonb(value, pat, all_words)) from jsonb_each(v)), '{}'::jsonb);
      when 'array' then
        return coalesce((select jsonb_agg(erasure_jsonb(value, pat, all_words) order by n)
                         from jsonb_array_elements(v) with ordinality e(value, n)), '[]'::jsonb);
      else
        return v;
    end case;
  end
  $$;

-- A free text of one of their cases: '[erased]', an empty or missing one stays empty.
create function erasure_all(v text) returns text
  language sql immutable
  as $$ select case when v is null or v = '' then v else '[erased]' end $$;

-- The records of a CSV (quoted fields may span lines) that do not match the pattern.
create function erasure_csv(csv text, pat text) returns text
  language sql immutable
  as $$
    select case when csv is null or csv !~* pat then csv
                else coalesce(string_agg(r[1], '' order by n) filter (where r[1] !~* pat), '') end
    from regexp_matches(coalesce(csv, ''), '((?:[^"\n]|"(?:[^"]|"")*")*(?:\n|$))', 'g') with ordinality m(r, n)
  $$;

-- Who the person is, in the org: their cases (by the customer's address), what names them (the
-- address, their names as customer and as sender, their cases' subjects: sql/00037's needles)
-- and the raw mail holding their address anywhere: their cases', their mail elsewhere, and mail
-- that reached no case (quarantined, unreadable, not an escalation). The caller's rights: the
-- erasure reads as the owner, the export (person_records) as the app under row-level security.
create function erasure_subject(p_org uuid, addr text, out case_ids uuid[], out needles text[], out raw_ids uuid[])
  language plpgsql stable
  as $$
  begin
    select coalesce(array_agg(id), '{}') into case_ids from cases where org_id = p_org and lower(customer_email) = addr;
    select array_agg(distinct lower(n)) filter (where length(btrim(n)) >= 3) into needles from (
      select customer_name as n from cases where id = any (case_ids)
      union all select subject from cases where id = any (case_ids)
      union all select original_subject from cases where id = any (case_ids)
      union all select from_name from messages where org_id = p_org and lower(from_email) = addr) names
      where n is not null and n <> '[erased]';
    needles := array_prepend(addr, coalesce(needles, '{}'));
    select coalesce(array_agg(id), '{}') into raw_ids from inbound_raw r
      where r.org_id = p_org and r.removed_at is null
        and (r.case_id = any (case_ids)
             or r.id in (select raw_id from messages where org_id = p_org and raw_id is not null
                         and (case_id = any (case_ids) or lower(from_email) = addr
                              or addr = any (array(select lower(unnest(to_emails || cc_emails))))))
             or strpos(lower(r.envelope::text), addr) > 0 or strpos(lower(coalesce(r.summary::text, '')), addr) > 0
             or strpos(lower(encode(r.raw, 'escape')), addr) > 0);
  end
  $$;

-- sql/00037's audit_tombstone, and also every string of words or an address: what an event of
-- one of their cases keeps is its action, codes, numbers and times.
create function audit_tombstone_words(v jsonb, salt text, needles text[]) returns jsonb
  language plpgsql immutable
  as $$
  begin
    case jsonb_typeof(v)
      when 'string' then
        if not starts_with(v #>> '{}', '$erased:h:') and (v #>> '{}') ~ '[\s@]' then
          return to_jsonb('$erased:' || audit_mask_string(v #>> '{}', salt));
        end if;
        return audit_tombstone(v, salt, needles);
      when 'object' then
        return coalesce((select jsonb_object_agg(key, audit_tombstone_words(value, salt, needles)) from jsonb_each(v)), '{}'::jsonb);
      when 'array' then
        return coalesce((select jsonb_agg(audit_tombstone_words(value, salt, needles) order by n)
                         from jsonb_array_elements(v) with ordinality e(value, n)), '[]'::jsonb);
      else
        return v;
    end case;
  end
  $$;

-- Approvals stay append-only, with one exception like the audit trail's: the owner (the
-- erasure, as security definer) may tombstone a decision's note, and change nothing else.
create function approvals_refuse_change() returns trigger
  language plpgsql
  as $$
  begin
    if tg_op = 'UPDATE'
       and current_user = (select pg_get_userbyid(relowner) from pg_class where oid = 'approvals'::regclass)
       and (new.id, new.org_id, new.case_id, new.draft_id, new.content_hash, new.approver_id, new.decision,
            new.acknowledged_flags, new.via, new.created_at, new.from_address)
           is not distinct from (old.id, old.org_id, old.case_id, old.draft_id, old.content_hash, old.approver_id, old.decision,
            old.acknowledged_flags, old.via, old.created_at, old.from_address) then
      return new;
    end if;
    raise exception '% rows are append-only (% refused)', tg_table_name, tg_op using errcode = 'insufficient_privilege';
  end
  $$;
drop trigger approvals_append_only on approvals;
create trigger approvals_append_only before update or delete on approvals
  for each row execute function approvals_refuse_change();

-- The erasure's work, without its event: every place above, then sql/00037's. Returns the counts.
create function erase_person_everywhere(p_org uuid, addr text) returns jsonb
  language plpgsql security definer set search_path = public
  as $$
  declare
    case_ids uuid[];
    case_texts text[];
    needles text[];
    pat text;
    addr_pat text;
    raw_ids uuid[];
    result jsonb;
    k integer;
    mentions integer;
    n_other integer; n_mailbox integer; n_audit integer;
    add jsonb := '{}'::jsonb;
  begin
    select s.case_ids, s.needles, s.raw_ids into case_ids, needles, raw_ids from erasure_subject(p_org, addr) s;
    case_texts := array(select unnest(case_ids)::text);
    pat := erasure_pattern(needles);
    addr_pat := erasure_pattern(array[addr]);
    add := add || jsonb_build_object('quarantine', (select count(*) from inbound_raw where id = any (raw_ids) and case_id is null));
    update inbound_raw set reason = erasure_text(reason, pat), last_error = erasure_text(last_error, pat)
      where org_id = p_org and (reason ~* pat or last_error ~* pat);

    -- sql/00037's erasure, as it was.
    select count(*) into n_other from messages
      where org_id = p_org and not coalesce(case_id = any (case_ids), false) and (lower(from_email) = addr or addr = any (array(select lower(unnest(to_emails)))));
    select count(*) into n_mailbox from dev_mailbox
      where org_id = p_org and addr = any (array(select lower(unnest(to_addresses || cc_addresses))));
    select count(*) into n_audit from audit_events
      where org_id = p_org and erased_at is null
        and (lower(actor_id) = addr or (exists (select 1 from unnest(needles) n where strpos(lower(details::text), n) > 0 or n ~ '["\\]')
                                        and audit_tombstone(details, details_salt, needles) <> details));
    result := jsonb_build_object('cases', cardinality(case_ids), 'otherMessages', n_other, 'devMailbox', n_mailbox, 'auditEvents', n_audit);
    result := result || remove_case_content(p_org, case_ids, 'erasure');
    update messages set subject = '[erased]', from_name = null,
                        from_email = case when lower(from_email) = addr then 'erased@erased.invalid' else from_email end,
                        to_emails = array(select case when lower(t) = addr then 'erased@erased.invalid' else t end from unnest(to_emails) t),
                        cc_emails = array(select case when lower(t) = addr then 'erased@erased.invalid' else t end from unnest(cc_emails) t),
                        original_to_emails = '{}', original_cc_emails = '{}'
      where org_id = p_org and (case_id = any (case_ids) or lower(from_email) = addr or addr = any (array(select lower(unnest(to_emails)))));
    update messages set text_body = '[erased]', html_body = null
      where org_id = p_org and not coalesce(case_id = any (case_ids), false) and lower(from_email) = 'erased@erased.invalid' and text_body <> '[erased]';
    update drafts set subject = '[erased]', to_emails = '{}', cc_emails = '{}', missing_facts = '{}'
      where org_id = p_org and case_id = any (case_ids);
    update outbox set subject = '[erased]', to_emails = '{erased@erased.invalid}', cc_emails = '{}'
      where org_id = p_org and case_id = any (case_ids);
    update csat_responses set comment = '' where org_id = p_org and case_id = any (case_ids) and comment <> '';
    delete from dev_mailbox where org_id = p_org and addr = any (array(select lower(unnest(to_addresses || cc_addresses))));
    update inbound_raw set raw = ''::bytea, envelope = '{}'::jsonb, summary = null, removed_at = coalesce(removed_at, now())
      where id = any (raw_ids) or (org_id = p_org and (case_id = any (case_ids) or lower(envelope ->> 'from') = addr or lower(summary ->> 'from') = addr));
    update cases set customer_email = null, customer_name = null, subject = '[erased]', summary = '', original_subject = null,
                     import_fields = null, intake = null, reply_to_message_id = null, reply_references = '{}'
      where org_id = p_org and id = any (case_ids);
    update audit_events set details = audit_tombstone(details, details_salt, needles),
                            actor_id = case when lower(actor_id) = addr then '$erased:' || audit_mask_string(actor_id, details_salt) else actor_id end,
                            erased_at = now()
      where org_id = p_org and erased_at is null
        and (lower(actor_id) = addr or (exists (select 1 from unnest(needles) n where strpos(lower(details::text), n) > 0 or n ~ '["\\]')
                                        and audit_tombstone(details, details_salt, needles) <> details));

    update audit_events set details = audit_tombstone_words(details, details_salt, needles), erased_at = coalesce(erased_at, now())
      where org_id = p_org and case_id = any (case_ids) and audit_tombstone_words(details, details_salt, needles) <> details;
    select count(*) into k from audit_events where org_id = p_org and erased_at = now();
    result := jsonb_set(result, '{auditEvents}', to_jsonb(k));

    -- Their cases' remaining details.
    update cases set customer_account = null, close_reason = erasure_all(close_reason), channel_name = null, channel_email = null,
                     channel_reference = null, severity_reasons = erasure_array(severity_reasons, pat)
      where org_id = p_org and id = any (case_ids);
    update drafts set guardrail_flags = erasure_jsonb(guardrail_flags, pat, true)
      where org_id = p_org and case_id = any (case_ids) and guardrail_flags is not null;
    update message_attachments a set filename = 'erased'
      from messages m where m.id = a.message_id and a.org_id = p_org and m.case_id = any (case_ids) and a.filename <> 'erased';
    delete from case_keys where org_id = p_org and case_id = any (case_ids);
    get diagnostics k = row_count;
    add := add || jsonb_build_object('caseKeys', k);

    -- Mentions of them in other cases: their mail to others, notes, other customers' words.
    update messages set subject = erasure_text(subject, pat), text_body = erasure_text(text_body, pat), html_body = erasure_text(html_body, pat),
                        from_name = erasure_text(from_name, pat),
                        to_emails = array(select case when lower(t) = addr then 'erased@erased.invalid' else t end from unnest(to_emails) t),
                        cc_emails = array(select case when lower(t) = addr then 'erased@erased.invalid' else t end from unnest(cc_emails) t),
                        original_to_emails = erasure_array(original_to_emails, addr_pat), original_cc_emails = erasure_array(original_cc_emails, addr_pat)
      where org_id = p_org and not coalesce(case_id = any (case_ids), false)
        and (subject ~* pat or text_body ~* pat or html_body ~* pat or from_name ~* pat
             or array_to_string(to_emails || cc_emails || original_to_emails || original_cc_emails, ' ') ~* addr_pat);
    get diagnostics k = row_count;
    mentions := k;
    update message_attachments a set filename = erasure_text(a.filename, pat), extracted_text = erasure_text(a.extracted_text, pat)
      from messages m where m.id = a.message_id and a.org_id = p_org and not coalesce(m.case_id = any (case_ids), false)
        and (a.filename ~* pat or a.extracted_text ~* pat);
    get diagnostics k = row_count;
    mentions := mentions + k;
    update drafts set subject = erasure_text(subject, pat), body = erasure_text(body, pat), tone_notes = erasure_text(tone_notes, pat),
                      instruction = erasure_text(instruction, pat), recovery_rationale = erasure_text(recovery_rationale, pat),
                      to_emails = array(select t from unnest(to_emails) t where lower(t) <> addr),
                      cc_emails = array(select t from unnest(cc_emails) t where lower(t) <> addr),
                      missing_facts = erasure_array(missing_facts, pat)
      where org_id = p_org and not coalesce(case_id = any (case_ids), false)
        and (subject ~* pat or body ~* pat or tone_notes ~* pat or instruction ~* pat or recovery_rationale ~* pat
             or array_to_string(to_emails || cc_emails || missing_facts, ' ') ~* pat);
    get diagnostics k = row_count;
    mentions := mentions + k;
    update outbox set subject = erasure_text(subject, pat), body = erasure_text(body, pat),
                      to_emails = array(select case when lower(t) = addr then 'erased@erased.invalid' else t end from unnest(to_emails) t),
                      cc_emails = array(select t from unnest(cc_emails) t where lower(t) <> addr)
      where org_id = p_org and not coalesce(case_id = any (case_ids), false)
        and (subject ~* pat or body ~* pat or array_to_string(to_emails || cc_emails, ' ') ~* addr_pat);
    get diagnostics k = row_count;
    mentions := mentions + k;
    update cases set subject = erasure_text(subject, pat), summary = erasure_text(summary, pat), original_subject = erasure_text(original_subject, pat),
                     close_reason = erasure_text(close_reason, pat), intake = erasure_jsonb(intake, pat, false),
                     import_fields = erasure_jsonb(import_fields, pat, false)
      where org_id = p_org and not (id = any (case_ids))
        and (subject ~* pat or summary ~* pat or original_subject ~* pat or close_reason ~* pat or intake::text ~* pat or import_fields::text ~* pat);
    get diagnostics k = row_count;
    add := add || jsonb_build_object('mentions', mentions + k);

    -- Approvers' notes and decision comments.
    update approvals set note = case when case_id = any (case_ids) then '[erased]' else erasure_text(note, pat) end
      where org_id = p_org and note is not null and note <> '[erased]' and (case_id = any (case_ids) or note ~* pat);
    get diagnostics k = row_count;
    add := add || jsonb_build_object('approvalNotes', k);

    -- Helpdesk tickets: the ticket id stays (one ticket, one case), its URL goes.
    update helpdesk_tickets set ticket_url = null
      where org_id = p_org and ticket_url is not null and (case_id = any (case_ids) or ticket_url ~* pat);
    get diagnostics k = row_count;
    add := add || jsonb_build_object('helpdeskTickets', k);

    -- Jobs: their cases' pending ones cancelled; payloads and errors as everything else.
    update jobs set failed_at = now(), locked_until = null, last_error = 'cancelled: the case was erased'
      where org_id = p_org and done_at is null and failed_at is null and payload ->> 'caseId' = any (case_texts);
    update jobs set payload = erasure_jsonb(payload, pat, payload ->> 'caseId' = any (case_texts)), last_error = erasure_text(last_error, pat)
      where org_id = p_org and (payload ->> 'caseId' = any (case_texts) or payload::text ~* pat or last_error ~* pat);
    get diagnostics k = row_count;
    add := add || jsonb_build_object('jobs', k);

    -- The double-submit guard's answers (kept a day) that show them or their cases: a repeat of
    -- one of those forms runs again instead of being answered from the copy.
    delete from form_submissions
      where org_id = p_org and (response_body ~* pat or response_headers::text ~* pat
                                or exists (select 1 from unnest(case_texts) c where strpos(path, c) > 0 or strpos(coalesce(response_body, ''), c) > 0));
    get diagnostics k = row_count;
    add := add || jsonb_build_object('formAnswers', k);

    -- Webhook deliveries and their attempts, chat posts' log.
    update webhook_deliveries set payload = erasure_jsonb(payload, pat, case_id = any (case_ids)), last_error = erasure_text(last_error, pat)
      where org_id = p_org and (case_id = any (case_ids) or payload::text ~* pat or last_error ~* pat);
    get diagnostics k = row_count;
    update webhook_attempts set error = erasure_text(error, pat) where org_id = p_org and error ~* pat;
    add := add || jsonb_build_object('webhookDeliveries', k);
    update chat_deliveries set detail = case when case_id = any (case_ids) then erasure_all(detail) else erasure_text(detail, pat) end
      where org_id = p_org and detail is not null and detail <> '[erased]' and (case_id = any (case_ids) or detail ~* pat);
    get diagnostics k = row_count;
    add := add || jsonb_build_object('chatDeliveries', k);

    -- War room, recovery and learning.
    update case_war_rooms set status_line = case when case_id = any (case_ids) then erasure_all(status_line) else erasure_text(status_line, pat) end,
                              next_action = case when case_id = any (case_ids) then erasure_all(next_action) else erasure_text(next_action, pat) end,
                              workaround = case when case_id = any (case_ids) then erasure_all(workaround) else erasure_text(workaround, pat) end,
                              hypothesis = case when case_id = any (case_ids) then erasure_all(hypothesis) else erasure_text(hypothesis, pat) end
      where org_id = p_org and (case_id = any (case_ids) or status_line ~* pat or next_action ~* pat or workaround ~* pat or hypothesis ~* pat);
    get diagnostics k = row_count;
    add := add || jsonb_build_object('warRooms', k);
    update recovery_plans set check_note = case when case_id = any (case_ids) then erasure_all(check_note) else erasure_text(check_note, pat) end
      where org_id = p_org and ((case_id = any (case_ids) and check_note not in ('', '[erased]')) or check_note ~* pat);
    get diagnostics k = row_count;
    mentions := k;
    update recovery_items set title = erasure_text(title, pat) where org_id = p_org and title ~* pat;
    get diagnostics k = row_count;
    add := add || jsonb_build_object('recovery', mentions + k);
    -- A review's account of the customer goes with their case; its causes and lessons are the
    -- org's and stay, less any mention of them.
    update incident_reviews
      set summary = case when case_id = any (case_ids) then erasure_all(summary) else erasure_text(summary, pat) end,
          customer_impact = case when case_id = any (case_ids) then erasure_all(customer_impact) else erasure_text(customer_impact, pat) end,
          customer_summary = case when case_id = any (case_ids) then erasure_all(customer_summary) else erasure_text(customer_summary, pat) end,
          recovery_taken = case when case_id = any (case_ids) then erasure_all(recovery_taken) else erasure_text(recovery_taken, pat) end,
          resolution = case when case_id = any (case_ids) then erasure_all(resolution) else erasure_text(resolution, pat) end,
          whys = erasure_array(whys, pat), root_cause = erasure_text(root_cause, pat), lessons = erasure_text(lessons, pat),
          prevention = erasure_text(prevention, pat), process_answers = erasure_array(process_answers, pat)
      where org_id = p_org and (case_id = any (case_ids)
        or concat_ws(' ', summary, customer_impact, customer_summary, recovery_taken, resolution, root_cause, lessons, prevention,
                     array_to_string(whys || process_answers, ' ')) ~* pat);
    get diagnostics k = row_count;
    update prevention_actions set title = erasure_text(title, pat) where org_id = p_org and title ~* pat;
    add := add || jsonb_build_object('reviews', k);

    -- Corrections of intake learnt from their mail; CSAT comments naming them; their links.
    delete from intake_examples where org_id = p_org and (case_id = any (case_ids) or raw_id = any (raw_ids));
    get diagnostics k = row_count;
    update intake_examples set intake_value = erasure_jsonb(intake_value, pat, false), decided_value = erasure_jsonb(decided_value, pat, false)
      where org_id = p_org and (intake_value::text ~* pat or decided_value::text ~* pat);
    add := add || jsonb_build_object('intakeExamples', k);
    update csat_responses set comment = erasure_text(comment, pat) where org_id = p_org and comment ~* pat;
    update customer_links set expires_at = least(expires_at, now())
      where org_id = p_org and case_id = any (case_ids) and consumed_at is null and expires_at > now();
    get diagnostics k = row_count;
    add := add || jsonb_build_object('customerLinks', k);

    -- Imports: a stored CSV (kept only while previewed or running) loses their records.
    update import_runs set csv = erasure_csv(csv, pat), preview = erasure_jsonb(preview, pat, false), report = erasure_jsonb(report, pat, false),
                           options = erasure_jsonb(options, pat, false), message = erasure_text(message, pat), file_name = erasure_text(file_name, pat)
      where org_id = p_org and (csv ~* pat or preview::text ~* pat or report::text ~* pat or options::text ~* pat or message ~* pat or file_name ~* pat);
    get diagnostics k = row_count;
    add := add || jsonb_build_object('importRuns', k);

    -- Staff mail as stored: a case's alerts and updates lose their text with the case; digests
    -- (many cases) and the dev mailbox's copies lose what names them.
    update alerts_sent set subject = case when case_id = any (case_ids) then '[erased]' else erasure_text(subject, pat) end,
                           text_body = case when case_id = any (case_ids) then erasure_all(text_body) else erasure_text(text_body, pat) end,
                           html_body = case when case_id = any (case_ids) then erasure_all(html_body) else erasure_text(html_body, pat) end,
                           reason = erasure_text(reason, pat), last_error = erasure_text(last_error, pat)
      where org_id = p_org and ((case_id = any (case_ids) and subject <> '[erased]')
                                or concat_ws(' ', subject, text_body, html_body, reason, last_error) ~* pat);
    get diagnostics k = row_count;
    add := add || jsonb_build_object('staffMail', k);
    update internal_updates set subject = case when case_id = any (case_ids) then '[erased]' else erasure_text(subject, pat) end,
                                text_body = case when case_id = any (case_ids) then '[erased]' else erasure_text(text_body, pat) end,
                                html_body = case when case_id = any (case_ids) then erasure_all(html_body) else erasure_text(html_body, pat) end,
                                recipients = array(select case when lower(t) = addr then 'erased@erased.invalid' else t end from unnest(recipients) t),
                                last_error = erasure_text(last_error, pat)
      where org_id = p_org and ((case_id = any (case_ids) and subject <> '[erased]')
                                or concat_ws(' ', subject, text_body, html_body, last_error, array_to_string(recipients, ' ')) ~* pat);
    get diagnostics k = row_count;
    add := jsonb_set(add, '{staffMail}', to_jsonb((add ->> 'staffMail')::integer + k));
    update digest_runs set subject = erasure_text(subject, pat), text_body = erasure_text(text_body, pat), html_body = erasure_text(html_body, pat),
                           counts = erasure_jsonb(counts, pat, false), reason = erasure_text(reason, pat), last_error = erasure_text(last_error, pat)
      where org_id = p_org and concat_ws(' ', subject, text_body, html_body, counts::text, reason, last_error) ~* pat;
    get diagnostics k = row_count;
    add := jsonb_set(add, '{staffMail}', to_jsonb((add ->> 'staffMail')::integer + k));
    update escalation_steps set reason = erasure_text(reason, pat), recipients = array(select t from unnest(recipients) t where lower(t) <> addr)
      where org_id = p_org and (reason ~* pat or array_to_string(recipients, ' ') ~* addr_pat);
    update dev_mailbox set subject = erasure_text(subject, pat), text_body = erasure_text(text_body, pat), html_body = erasure_text(html_body, pat),
                           reply_to = erasure_text(reply_to, pat), headers = erasure_jsonb(headers, pat, false),
                           attachments = erasure_jsonb(attachments, pat, false)
      where org_id = p_org and concat_ws(' ', subject, text_body, html_body, reply_to, headers::text, attachments::text) ~* pat;
    get diagnostics k = row_count;
    result := jsonb_set(result, '{devMailbox}', to_jsonb((result ->> 'devMailbox')::integer + k));

    update saved_views set name = erasure_text(name, pat), query = erasure_text(query, pat)
      where org_id = p_org and (name ~* pat or query ~* pat);
    get diagnostics k = row_count;
    add := add || jsonb_build_object('savedViews', k);
    update org_templates set body = erasure_text(body, pat) where org_id = p_org and body ~* pat;

    return result || add;
  end
  $$;
revoke execute on function erase_person_everywhere(uuid, text) from public;

-- sql/00037's entry point, same arguments and the same `person.erase` event; a dry run is the
-- erasure rolled back (so its counts are exact) and writes nothing.
create or replace function erase_person_as(p_org uuid, p_actor_kind text, p_actor_id text, p_email text, p_dry_run boolean) returns jsonb
  language plpgsql security definer set search_path = public
  as $$
  declare
    addr text := lower(btrim(p_email));
    counts jsonb;
  begin
    if addr !~ '^[^@\s]+@[^@\s]+$' then
      raise exception 'erase refused: % is not an address', p_email using errcode = 'invalid_parameter_value';
    end if;
    if p_dry_run then
      begin
        counts := erase_person_everywhere(p_org, addr);
        raise exception 'dry run' using errcode = 'P0D01';
      exception when sqlstate 'P0D01' then
        return counts;
      end;
    end if;
    counts := erase_person_everywhere(p_org, addr);
    insert into audit_events (org_id, actor_kind, actor_id, action, details, prev_hash, hash)
    values (p_org, p_actor_kind, p_actor_id, 'person.erase',
            counts || jsonb_build_object('subjectSha256', encode(sha256(convert_to(p_org::text || ':' || addr, 'UTF8')), 'hex')), '', '');
    return counts;
  end
  $$;
revoke execute on function erase_person_as(uuid, text, text, text, boolean) from public;

-- What the access-request export (src/privacy/export.ts) adds to person.json: the rows of every
-- place above that the erasure would change, as they are now, read with the caller's rights
-- (the app under row-level security). Secrets (link ids, tokens) are not part of it.
create function person_records(p_org uuid, addr text) returns jsonb
  language plpgsql stable
  as $$
  declare
    s record;
    pat text;
    ct text[];
    out jsonb;
  begin
    select * into s from erasure_subject(p_org, addr);
    pat := erasure_pattern(s.needles);
    ct := array(select unnest(s.case_ids)::text);
    select jsonb_build_object(
      'approvalNotes', (select coalesce(jsonb_agg(jsonb_build_object('caseId', case_id, 'decision', decision, 'note', note, 'at', created_at) order by created_at), '[]')
                        from approvals where org_id = p_org and note is not null and (case_id = any (s.case_ids) or note ~* pat)),
      'helpdeskTickets', (select coalesce(jsonb_agg(jsonb_build_object('caseId', case_id, 'provider', provider, 'ticketId', ticket_id, 'ticketUrl', ticket_url)), '[]')
                          from helpdesk_tickets where org_id = p_org and (case_id = any (s.case_ids) or ticket_url ~* pat)),
      'jobs', (select coalesce(jsonb_agg(jsonb_build_object('kind', kind, 'payload', payload, 'lastError', last_error, 'at', created_at) order by id), '[]')
               from jobs where org_id = p_org and (payload ->> 'caseId' = any (ct) or payload::text ~* pat or last_error ~* pat)),
      'formAnswers', (select coalesce(jsonb_agg(jsonb_build_object('path', path, 'status', response_status, 'body', response_body, 'expiresAt', expires_at)), '[]')
                      from form_submissions where org_id = p_org and (response_body ~* pat or response_headers::text ~* pat
                        or exists (select 1 from unnest(ct) c where strpos(path, c) > 0 or strpos(coalesce(response_body, ''), c) > 0))),
      'quarantine', (select coalesce(jsonb_agg(jsonb_build_object('id', id, 'status', status, 'reason', reason, 'summary', summary, 'receivedAt', received_at) order by received_at), '[]')
                     from inbound_raw where id = any (s.raw_ids) and case_id is null),
      'webhookDeliveries', (select coalesce(jsonb_agg(jsonb_build_object('eventType', event_type, 'payload', payload, 'status', status, 'lastError', last_error, 'at', created_at) order by created_at), '[]')
                            from webhook_deliveries where org_id = p_org and (case_id = any (s.case_ids) or payload::text ~* pat or last_error ~* pat)),
      'chatDeliveries', (select coalesce(jsonb_agg(jsonb_build_object('destination', destination, 'eventType', event_type, 'outcome', outcome, 'detail', detail, 'at', created_at) order by id), '[]')
                         from chat_deliveries where org_id = p_org and (case_id = any (s.case_ids) or detail ~* pat)),
      'warRooms', (select coalesce(jsonb_agg(jsonb_build_object('caseId', case_id, 'statusLine', status_line, 'nextAction', next_action, 'workaround', workaround, 'hypothesis', hypothesis)), '[]')
                   from case_war_rooms where org_id = p_org and (case_id = any (s.case_ids) or concat_ws(' ', status_line, next_action, workaround, hypothesis) ~* pat)),
      'recovery', (select coalesce(jsonb_agg(r), '[]') from (
                     select jsonb_build_object('caseId', case_id, 'checkNote', check_note) r from recovery_plans
                       where org_id = p_org and (case_id = any (s.case_ids) or check_note ~* pat)
                     union all select jsonb_build_object('caseId', case_id, 'item', title, 'kind', kind, 'status', status) from recovery_items
                       where org_id = p_org and (case_id = any (s.case_ids) or title ~* pat)) x),
      'reviews', (select coalesce(jsonb_agg(r), '[]') from (
                    select to_jsonb(v) - 'org_id' - 'created_by' - 'updated_by' - 'completed_by' r from incident_reviews v
                      where org_id = p_org and (case_id = any (s.case_ids)
                        or concat_ws(' ', summary, customer_impact, customer_summary, recovery_taken, resolution, root_cause, lessons, prevention,
                                     array_to_string(whys || process_answers, ' ')) ~* pat)
                    union all select jsonb_build_object('caseId', case_id, 'preventionAction', title, 'status', status) from prevention_actions
                      where org_id = p_org and (case_id = any (s.case_ids) or title ~* pat)) x),
      'intakeExamples', (select coalesce(jsonb_agg(jsonb_build_object('caseId', case_id, 'field', field, 'intakeValue', intake_value, 'decidedValue', decided_value, 'at', created_at)), '[]')
                         from intake_examples where org_id = p_org and (case_id = any (s.case_ids) or raw_id = any (s.raw_ids)
                           or intake_value::text ~* pat or decided_value::text ~* pat)),
      'csat', (select coalesce(jsonb_agg(jsonb_build_object('caseId', case_id, 'rating', rating, 'comment', comment, 'at', created_at)), '[]')
               from csat_responses c where org_id = p_org and (case_id = any (s.case_ids) or comment ~* pat)),
      'customerLinks', (select coalesce(jsonb_agg(jsonb_build_object('caseId', case_id, 'purpose', purpose, 'expiresAt', expires_at, 'consumedAt', consumed_at)), '[]')
                        from customer_links where org_id = p_org and case_id = any (s.case_ids)),
      'importRuns', (select coalesce(jsonb_agg(jsonb_build_object('kind', kind, 'state', state, 'fileName', file_name, 'message', message,
                                                                  'csvRecords', (select jsonb_agg(r[1] order by n) from regexp_matches(coalesce(csv, ''), '((?:[^"\n]|"(?:[^"]|"")*")*(?:\n|$))', 'g') with ordinality m(r, n) where r[1] ~* pat),
                                                                  'preview', case when preview::text ~* pat then preview end, 'report', case when report::text ~* pat then report end,
                                                                  'at', created_at) order by id), '[]')
                     from import_runs where org_id = p_org and (csv ~* pat or preview::text ~* pat or report::text ~* pat or options::text ~* pat or message ~* pat or file_name ~* pat)),
      'staffMail', (select coalesce(jsonb_agg(r), '[]') from (
                      select jsonb_build_object('kind', 'alert', 'caseId', case_id, 'subject', subject, 'text', text_body, 'at', created_at) r from alerts_sent
                        where org_id = p_org and (case_id = any (s.case_ids) or concat_ws(' ', subject, text_body, html_body, reason, last_error) ~* pat)
                      union all select jsonb_build_object('kind', 'internal update', 'caseId', case_id, 'subject', subject, 'text', text_body, 'at', created_at) from internal_updates
                        where org_id = p_org and (case_id = any (s.case_ids) or concat_ws(' ', subject, text_body, html_body, last_error, array_to_string(recipients, ' ')) ~* pat)
                      union all select jsonb_build_object('kind', 'digest', 'subject', subject, 'text', text_body, 'at', created_at) from digest_runs
                        where org_id = p_org and concat_ws(' ', subject, text_body, html_body, counts::text, reason, last_error) ~* pat
                      union all select jsonb_build_object('kind', 'escalation step', 'caseId', case_id, 'step', step, 'reason', reason, 'at', created_at) from escalation_steps
                        where org_id = p_org and (reason ~* pat or array_to_string(recipients, ' ') ~* pat)) x),
      'devMailbox', (select coalesce(jsonb_agg(jsonb_build_object('to', to_addresses, 'cc', cc_addresses, 'subject', subject, 'text', text_body, 'at', created_at) order by created_at), '[]')
                     from dev_mailbox where org_id = p_org and (addr = any (array(select lower(unnest(to_addresses || cc_addresses))))
                       or concat_ws(' ', subject, text_body, html_body, reply_to, headers::text, attachments::text) ~* pat)),
      'savedViews', (select coalesce(jsonb_agg(jsonb_build_object('name', name, 'query', query)), '[]')
                     from saved_views where org_id = p_org and (name ~* pat or query ~* pat)),
      'mentions', (select coalesce(jsonb_agg(r), '[]') from (
                     select jsonb_build_object('kind', 'case', 'caseId', id, 'subject', subject, 'summary', summary) r from cases
                       where org_id = p_org and not (id = any (s.case_ids))
                         and (subject ~* pat or summary ~* pat or original_subject ~* pat or close_reason ~* pat or intake::text ~* pat or import_fields::text ~* pat)
                     union all select jsonb_build_object('kind', direction, 'caseId', case_id, 'subject', subject, 'text', text_body, 'at', created_at) from messages
                       where org_id = p_org and not coalesce(case_id = any (s.case_ids), false) and lower(from_email) <> addr and not (addr = any (array(select lower(unnest(to_emails)))))
                         and (subject ~* pat or text_body ~* pat or html_body ~* pat or from_name ~* pat or array_to_string(cc_emails || original_to_emails || original_cc_emails, ' ') ~* pat)
                     union all select jsonb_build_object('kind', 'draft', 'caseId', case_id, 'subject', subject, 'body', body) from drafts
                       where org_id = p_org and not coalesce(case_id = any (s.case_ids), false)
                         and (subject ~* pat or body ~* pat or tone_notes ~* pat or instruction ~* pat or recovery_rationale ~* pat
                              or array_to_string(to_emails || cc_emails || missing_facts, ' ') ~* pat)
                     union all select jsonb_build_object('kind', 'reply', 'caseId', case_id, 'subject', subject, 'body', body) from outbox
                       where org_id = p_org and not coalesce(case_id = any (s.case_ids), false) and (subject ~* pat or body ~* pat or array_to_string(to_emails || cc_emails, ' ') ~* pat)) x),
      'auditEvents', (select coalesce(jsonb_agg(jsonb_build_object('caseId', case_id, 'seq', seq, 'actorKind', actor_kind, 'action', action, 'details', details, 'at', created_at) order by seq), '[]')
                      from audit_events where org_id = p_org and not (case_id is not null and case_id = any (s.case_ids))
                        and (lower(actor_id) = addr or details::text ~* pat))
    ) into out;
    return out;
  end
  $$;
