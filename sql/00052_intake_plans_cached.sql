-- A search body is rebuilt for every message that joins a case. As a security-definer SQL
-- function it was planned again on every call (PostgreSQL keeps no plan of a SQL function it
-- cannot inline between calls): half a millisecond of planning a message for a two-line query.
-- In PL/pgSQL its statement's plan is kept for the session like any other. The same text.
create or replace function case_search_body(target uuid) returns tsvector
  language plpgsql stable security definer set search_path = public
  as $$
  begin
    -- The letters first: bounded at intake (six pages, 40,000 characters each), and what a long
    -- thread must not push out of the 200,000 characters read.
    return setweight(to_tsvector('simple', left(
             coalesce((select string_agg(a.extracted_text, ' ' order by m.created_at, a.position)
                       from message_attachments a join messages m on m.id = a.message_id
                       where m.case_id = target and a.extracted_text is not null), '')
             || ' ' ||
             coalesce((select string_agg(m.subject || ' ' || m.text_body, ' ' order by m.created_at)
                       from messages m where m.case_id = target), ''),
             200000)), 'D');
  end
  $$;
