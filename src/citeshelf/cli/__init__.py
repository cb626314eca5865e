"""The command-line interface: thin Click commands over the importable core.

Each command lives in its own module, ``cmd_<name>.py``, which defines
``command``. Modules are found by name and imported only when used (or when
``--help`` lists them), and import heavy libraries inside the command body.
"""
