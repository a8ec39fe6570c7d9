"""The ``douai-delivery`` command: one module per group of subcommands.

:mod:`cli.main` assembles them. Every user error (a bad CSV, a missing file, no
internet for the default network, a setting that cannot be used) ends with one line on
stderr and exit code 2, never a traceback.
"""
