"""Row- and column-level security: extracts, audit, the mask salt and the native policy exports."""
