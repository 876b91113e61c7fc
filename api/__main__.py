"""python -m api — same as the a2p command."""

from api.cli import main

main()
