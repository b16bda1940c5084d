-- Upgrade of a ledger store created before the timeline became an event projection (its documents are now written
-- and patched, not re-aggregated, so Marten versions them with a uuid instead of a number). 001 creates the table
-- this way on a new database, where this script changes nothing; it can be run any number of times.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = 'ledger' AND table_name = 'mt_doc_timelineentry'
                 AND column_name = 'mt_version' AND data_type = 'bigint') THEN
        ALTER TABLE ledger.mt_doc_timelineentry ALTER COLUMN mt_version DROP DEFAULT;
        ALTER TABLE ledger.mt_doc_timelineentry
            ALTER COLUMN mt_version TYPE uuid USING md5(random()::text || clock_timestamp()::text)::uuid;
        ALTER TABLE ledger.mt_doc_timelineentry
            ALTER COLUMN mt_version SET DEFAULT (md5(random()::text || clock_timestamp()::text)::uuid);
    END IF;
END $$;
