"""`python -m cardpress` is the same as the `cardpress` command."""

from .cli import main

main(prog_name="cardpress")
