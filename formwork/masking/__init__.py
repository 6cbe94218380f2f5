"""The masking engine: declarative rules, deterministic fakes, set-based rewrites, leak checks.

Plain Python + SQL: nothing here imports Prefect (tasks/masking.py wraps it).
"""
