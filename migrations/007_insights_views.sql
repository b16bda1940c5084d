-- Insights (issue 14): the tables of the asynchronous views the figures across the base read (contacts, cases), the
-- record of proactive signals announced to other systems, and the function Marten's daemon marks which node runs each
-- view with. 001 creates them on a new store; this brings an existing one up to date and does nothing on a store that
-- has them. Copied from 001 (migrations/regenerate.sh): keep them equal. The views fill themselves from the events once
-- the service runs (README, "Insights").
CREATE TABLE IF NOT EXISTS ledger.insights_contacts (
    id                 uuid                        NOT NULL,
    customer_id        uuid                        NOT NULL,
    brand              varchar                     NOT NULL,
    channel            varchar                     NOT NULL,
    direction          varchar                     NOT NULL,
    reason             varchar                     NOT NULL,
    outcome            varchar                     NOT NULL,
    occurred_at        timestamp with time zone    NOT NULL,
    recorded_at        timestamp with time zone    NOT NULL,
    waiting_seconds    integer                     NULL,
    satisfaction       integer                     NULL,
    rated_at           timestamp with time zone    NULL,
    case_id            uuid                        NULL,
CONSTRAINT pkey_insights_contacts_id PRIMARY KEY (id)
);

CREATE INDEX IF NOT EXISTS insights_contacts_brand_occurred_at ON ledger.insights_contacts USING btree (brand, occurred_at);
CREATE INDEX IF NOT EXISTS insights_contacts_brand_customer ON ledger.insights_contacts USING btree (brand, customer_id, occurred_at);
CREATE INDEX IF NOT EXISTS insights_contacts_customer ON ledger.insights_contacts USING btree (customer_id);

CREATE TABLE IF NOT EXISTS ledger.insights_cases (
    id                  uuid                          NOT NULL,
    customer_id         uuid                          NOT NULL,
    brand               varchar                       NOT NULL,
    reason              varchar                       NOT NULL,
    opened_at           timestamp with time zone      NOT NULL,
    status              varchar                       NOT NULL,
    status_at           timestamp with time zone      NOT NULL,
    resolved_at         timestamp with time zone      NULL,
    contact_ids         uuid[]                        NOT NULL,
    contact_times       timestamp with time zone[]    NOT NULL,
    contact_count       integer                       NOT NULL,
    first_contact_id    uuid                          NULL,
CONSTRAINT pkey_insights_cases_id PRIMARY KEY (id)
);

CREATE INDEX IF NOT EXISTS insights_cases_brand_status ON ledger.insights_cases USING btree (brand, status);
CREATE INDEX IF NOT EXISTS insights_cases_brand_resolved_at ON ledger.insights_cases USING btree (brand, resolved_at);
CREATE INDEX IF NOT EXISTS insights_cases_customer ON ledger.insights_cases USING btree (customer_id);

CREATE TABLE IF NOT EXISTS ledger.insights_signals_announced (
    customer_id     uuid                        NOT NULL,
    brand           varchar                     NOT NULL,
    kind            varchar                     NOT NULL,
    since           timestamp with time zone    NOT NULL,
    announced_at    timestamp with time zone    NOT NULL,
CONSTRAINT pkey_insights_signals_announced_customer_id_brand_kind_since PRIMARY KEY (customer_id, brand, kind, since)
);


CREATE
OR REPLACE FUNCTION ledger.mt_mark_event_progression_extended(name varchar, last_encountered bigint, p_heartbeat timestamp with time zone, p_agent_status varchar, p_pause_reason text, p_running_on_node integer) RETURNS VOID LANGUAGE plpgsql AS
$function$
BEGIN
-- Telemetry-only: decorate an EXISTING progression row's extended columns and nothing else.
-- The progression row (name / last_seq_id / last_updated) is owned by the projection batch commit,
-- so this write must never INSERT and never touch last_seq_id / last_updated:
--   * a pre-emptive INSERT here races the batch's own first progress insert into a duplicate-key
--     failure on pk_mt_event_progression (and a Started publication carries last_encountered = 0, which
--     would seed the row's progress backwards);
--   * updating last_seq_id on a throttled heartbeat would roll committed progress backwards -- the
--     "clobber" defect.
-- If no progression row exists yet the telemetry is simply skipped until the first commit creates it.
-- The table-qualified column disambiguates it from the same-named `name` parameter (plpgsql's
-- default variable_conflict = error would otherwise reject the bare `name`), while `$1` references
-- that parameter positionally. The parameter is left named `name` so CREATE OR REPLACE never trips
-- the "cannot rename input parameter" rule against a function an older release already installed.
-- CritterWatch #750 / marten#4981.
UPDATE ledger.mt_event_progression
SET heartbeat = p_heartbeat,
    agent_status = p_agent_status,
    pause_reason = p_pause_reason,
    running_on_node = p_running_on_node
WHERE mt_event_progression.name = $1;

END;

$function$;
