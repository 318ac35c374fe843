-- PostgreSQL 16 and newer: a non-superuser owner that creates desk_app (a managed Postgres, the
-- embedded server's `desk` role) gets an implicit membership with ADMIN but without SET, so
-- 00001's grant was skipped (pg_has_role(…, 'member') was already true) and `set local role
-- desk_app` failed with "permission denied to set role". The owner grants itself the membership
-- it needs. 'SET' is not a privilege name before 16, hence the version test around it.
do $$ begin
  if current_setting('server_version_num')::int >= 160000 then
    if not pg_has_role(current_user, 'desk_app', 'SET') then
      execute format('grant desk_app to %I', current_user);
    end if;
  end if;
end $$;
