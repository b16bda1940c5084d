-- The console's ended sessions: a session signed out is refused by every instance until its token would have expired,
-- even if its cookie was copied. Safe to re-run. The service creates this itself on the embedded database and in
-- Development; elsewhere apply it (the service's login needs SELECT, INSERT, DELETE on it).
create schema if not exists ledger;

create table if not exists ledger.console_sessions_ended (
  session_id uuid primary key,
  ended_at   timestamptz not null,
  -- After this the session's token is refused anyway: the row can go.
  expires_at timestamptz not null
);

create index if not exists console_sessions_ended_expires on ledger.console_sessions_ended (expires_at);
