"""Backups and disaster-recovery drills."""
