"""Point-in-time recovery with pgBackRest: configuration, archive, backups, scratch restores."""
