"""`python -m cli`: what the `formwork` console script runs."""

from cli.launch import run

if __name__ == "__main__":
    run()
