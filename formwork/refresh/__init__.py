"""Refreshing a lower environment from production: guards, clone beside the target, atomic swap."""
