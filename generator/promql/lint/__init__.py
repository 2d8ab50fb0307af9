"""The offline lint engine: the rules (one per module), their problems, and the report."""
