#!/usr/bin/env bash
# Regenerates the schema scripts from the service's Marten and Wolverine configuration with their own tooling
# (JasperFx "db-dump"). Run after changing documents, projections, indexes or message storage; the
# "checked_in_migrations_create_exactly_the_model" test fails until the scripts match the model again.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run --project src/InteractionLedger -- db-dump "$PWD"/migrations/001_ledger_store.sql -d "marten://store/"
dotnet run --project src/InteractionLedger -- db-dump "$PWD"/migrations/002_wolverine_message_store.sql -d "wolverine://messages/main"
