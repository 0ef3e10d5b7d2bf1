"""The command-line interface (entry point: `corredor.cli.main:main`)."""
