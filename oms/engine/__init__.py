"""The workflow engine and the audited record writes (issue 22, point 1): the layer of tier 0 that
needs the audit recorder, above `oms.audit` and below every app that changes a record."""
