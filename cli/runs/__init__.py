"""Starting, following and answering Prefect runs from the command line, through Prefect's client."""
