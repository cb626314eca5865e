"""Exit codes, named in one place. Scripts can rely on these numbers."""

OK = 0
#: Something went wrong that is not one of the cases below (an I/O error, ...).
ERROR = 1
#: The command line was wrong: unknown option, bad value, invalid key.
USAGE = 2
#: A record, file or library that was asked for does not exist.
NOT_FOUND = 3
#: Data failed validation: a record file, an imported entry, a field value.
INVALID_DATA = 4
#: The action would overwrite or orphan something (key taken, book has chapters).
CONFLICT = 5
#: The user declined a confirmation prompt.
ABORTED = 6
#: Another citeshelf process held the library's lock past the timeout.
BUSY = 7
