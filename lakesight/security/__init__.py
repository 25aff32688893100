"""Row- and column-level security: extracts, audit, the mask salt, AWS policy exports."""
