"""The integration surface (SPEC H5): signed outbound webhooks with a delivery log, replay and
secret rotation; scoped API keys (the scopes live in ``core.permissions.API_SCOPES``); export
and import of candidates and results as CSV/XLSX with saved field mappings and a dry run."""
