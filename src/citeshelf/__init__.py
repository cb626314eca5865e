"""citeshelf: a command-line reference manager for scholars.

The core (``citeshelf.model``, ``citeshelf.library``, ``citeshelf.formats``,
``citeshelf.styles``) imports neither Click nor Rich and can be used as a
Python library.
"""

__version__ = "0.1.0"
