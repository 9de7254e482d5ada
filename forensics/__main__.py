"""`python -m forensics` runs the command line."""

from forensics.cli import main

main()
