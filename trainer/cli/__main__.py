"""`python -m trainer.cli`: the `trainer` command."""

from trainer.cli import main

main()
