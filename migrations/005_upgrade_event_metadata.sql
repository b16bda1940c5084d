-- A store created before events named who wrote them: the columns every event now fills (headers: person, person's
-- name, application, request; user_name: the person's subject or the system's key). 001 creates them on a new store.
alter table ledger.mt_events add column if not exists headers jsonb;
alter table ledger.mt_events add column if not exists user_name varchar;
