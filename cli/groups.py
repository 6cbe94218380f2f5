"""Click helpers shared by command groups."""

from __future__ import annotations

import click


class DefaultToRun(click.Group):
    """`formwork mask ENV ...` means `formwork mask run ENV ...` (same for rewire)."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().parse_args(ctx, args)
