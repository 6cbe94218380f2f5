"""Where Formwork keeps files (filestores, backups): plain interfaces and implementations, no Prefect."""
