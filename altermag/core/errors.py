"""Exception types shared by every capability.

Every error a user can trigger with bad input is an :class:`AltermagError`, so that batch drivers
(``altermag screen``) can turn it into an error record and go on, while genuine bugs still crash.
"""


class AltermagError(Exception):
    """Base class of the errors caused by user input (bad file, bad parameter)."""


class StructureError(AltermagError):
    """A structure file or object that cannot be read or is physically inconsistent.

    The message names the file (when there is one) and the problem.
    """

    def __init__(self, problem: str, source: str | None = None):
        self.problem = problem
        self.source = source
        super().__init__(f"{source}: {problem}" if source else problem)


class ParameterError(AltermagError, ValueError):
    """A parameter outside its physical or numerical domain."""
