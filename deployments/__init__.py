"""Deployments, schedules, work pools, concurrency limits and notifications: what `formwork deploy` registers."""
