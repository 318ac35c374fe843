-- The organization's attachment limit in one statement (issue 21). Intake locked the org's
-- attachment_usage row, read it, and added to it in separate statements, the lock taken first
-- on a thread (src/intake/intake.ts) and held for the whole transaction: every message with
-- files of the org waited for it. add_attachment_usage decides which of a message's files fit,
-- in their order (a file that does not fit is skipped and a smaller one after it may still
-- fit, as before), and adds the kept bytes, in one call: the row is locked from that statement
-- to commit, and intake calls it just before the file rows and the audit event.
-- The limit holds exactly under concurrency: the row lock orders the calls of one org.
create function add_attachment_usage(p_org uuid, p_sizes bigint[], p_limit bigint) returns boolean[]
  language plpgsql set search_path = public
  as $$
  declare
    room bigint;
    size bigint;
    added bigint := 0;
    kept boolean[] := '{}';
  begin
    insert into attachment_usage (org_id) values (p_org) on conflict (org_id) do nothing;
    select p_limit - stored_bytes into room from attachment_usage where org_id = p_org for update;
    foreach size in array p_sizes loop
      if size <= room then
        room := room - size;
        added := added + size;
        kept := kept || true;
      else
        kept := kept || false;
      end if;
    end loop;
    if added > 0 then
      update attachment_usage set stored_bytes = stored_bytes + added, updated_at = now() where org_id = p_org;
    end if;
    return kept;
  end
  $$;
grant execute on function add_attachment_usage(uuid, bigint[], bigint) to desk_app;
