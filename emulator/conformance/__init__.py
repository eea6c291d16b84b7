"""The contract-conformance checker: named checks of a server (or recorded exchanges) against the Chat Completions contract.

Public entry points: ``cli.add_arguments`` / ``cli.run`` (the ``check`` subcommand),
``catalogue.catalogue()`` (every check), ``transcript.check_file`` (offline mode).
"""
