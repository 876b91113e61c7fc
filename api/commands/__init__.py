"""api.commands — `a2p` sub-commands of the api package (each module has register(app))."""
