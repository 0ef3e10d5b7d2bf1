"""`python -m corredor.cli`: the same as the `corredor` command."""

from corredor.cli.main import main

main()
