-- The access ledger: records of every read of personal data, chained per lane with a keyed MAC (the key lives outside
-- the database), partitioned by month so that retention drops whole partitions. Safe to re-run. The service creates
-- this itself on the embedded database and in Development; elsewhere apply it, then let the service's login create
-- the monthly partitions (it needs CREATE on schema ledger) — or create them ahead with the same statements.
create schema if not exists ledger;

-- A store created before the keyed MAC kept SHA-256 chains in an unpartitioned table: kept, renamed, no longer written.
do $$
begin
  if exists (select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where n.nspname = 'ledger' and c.relname = 'access_records' and c.relkind = 'r') then
    alter table ledger.access_records rename to access_records_sha256;
    alter table ledger.access_chain_heads rename to access_chain_heads_sha256;
  end if;
end $$;

create table if not exists ledger.access_records (
  id          bigint generated always as identity,
  recorded_at timestamptz not null,
  lane        integer not null,
  position    bigint not null,
  customer_id uuid,
  principal   text not null,
  person      text,
  purpose     text not null,
  decision    text not null,
  record      text not null,
  key_id      text not null,
  mac         bytea not null,
  constraint access_records_pk primary key (id, recorded_at),
  -- A guard against rows no chain walk would read (verification also reports them: the table's owner can drop this).
  constraint access_records_in_a_chain check (lane between 0 and 15 and position > 0)
) partition by range (recorded_at);

create index if not exists access_records_chain_idx on ledger.access_records (lane, position);
create index if not exists access_records_customer_idx on ledger.access_records (customer_id, id);
create index if not exists access_records_person_idx on ledger.access_records (person, id);
create index if not exists access_records_principal_idx on ledger.access_records (principal, id);
create index if not exists access_records_time_idx on ledger.access_records (recorded_at);

-- Each chain's end: its last position, that record's MAC and time (times never go back along a chain).
create table if not exists ledger.access_chain_heads (
  lane        integer primary key,
  position    bigint not null,
  mac         bytea not null,
  recorded_at timestamptz not null
);
insert into ledger.access_chain_heads (lane, position, mac, recorded_at)
select generate_series(0, 15), 0, ''::bytea, '-infinity'
on conflict (lane) do nothing;

-- A batch moves the heads it was chained after; if another writer moved one first, the whole batch is refused
-- (serialization_failure) and chained again on the new heads, so no two records ever share a place in a chain.
create or replace function ledger.access_ledger_heads_moved(moved bigint, expected integer) returns integer
language plpgsql as $$
begin
  if moved <> expected then
    raise exception 'an access ledger chain head was moved by another writer' using errcode = '40001';
  end if;
  return expected;
end $$;
