"""`make demo` (`formwork demo`): the whole product on the embedded stack, as a runbook that runs."""
