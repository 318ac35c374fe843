-- Every case findable, letters included: the text of a PDF attached to a case's mail (a body's
-- notice, counsel's letter) is part of the case's search body, as the thread's own text is. A
-- letter's words ("Kirchweg 7", the client's name as counsel spells it) find its case.

create or replace function case_search_body(target uuid) returns tsvector
  language sql stable security definer set search_path = public
  as $$
    -- The letters first: bounded at intake (six pages, 40,000 characters each), and what a long
    -- thread must not push out of the 200,000 characters read.
    select setweight(to_tsvector('simple', left(
             coalesce((select string_agg(a.extracted_text, ' ' order by m.created_at, a.position)
                       from message_attachments a join messages m on m.id = a.message_id
                       where m.case_id = target and a.extracted_text is not null), '')
             || ' ' ||
             coalesce((select string_agg(m.subject || ' ' || m.text_body, ' ' order by m.created_at)
                       from messages m where m.case_id = target), ''),
             200000)), 'D')
  $$;

-- A letter is stored after its message: its text joins the case's body then.
create function message_attachments_search_trigger() returns trigger
  language plpgsql security definer set search_path = public
  as $$
  begin
    if new.extracted_text is not null then
      update case_search s set body = case_search_body(m.case_id), updated_at = now()
      from messages m where m.id = new.message_id and s.case_id = m.case_id;
    end if;
    return null;
  end
  $$;
create trigger message_attachments_search after insert on message_attachments
  for each row execute function message_attachments_search_trigger();

-- The letters there are already.
update case_search s set body = case_search_body(s.case_id)
where exists (select 1 from message_attachments a join messages m on m.id = a.message_id
              where m.case_id = s.case_id and a.extracted_text is not null);
