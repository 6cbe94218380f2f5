"""Integration rewiring: a non-production copy never reaches the outside world.

Rules are data (rewiring_rules/*.yaml). Each names the rows that are still live
and how to cut them, so applying and checking are the same query seen twice.
"""
