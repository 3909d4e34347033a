"""One module per command of the ``drill`` program; each has ``add(subparsers)`` and ``run(args)``."""
