"""`python -m cognito_emulator`: the `cognito-emulator` command (cli.py)."""

from cognito_emulator.cli import main

main()
