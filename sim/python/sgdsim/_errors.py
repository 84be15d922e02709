"""The exceptions and warnings sgdsim raises."""


class ScenarioError(ValueError):
    """A scenario that cannot run: a bad key, value or input file.

    ``str(error)`` is the CLI's message, ``file:line:column: key.path: what is wrong``, one line per
    problem. The first problem's place is in ``file``, ``line``, ``column`` (``None`` where not
    known: a dict has no lines, a ``set=`` key has no place in the file) and ``key`` (the key path,
    ``None`` for the file as a whole); ``problems`` lists every problem as such a dict.
    """

    def __init__(self, message, problems=None):
        super().__init__(message)
        self.problems = list(problems or [{"message": message}])
        first = self.problems[0]
        self.file = first.get("file")
        self.line = first.get("line")
        self.column = first.get("column")
        self.key = first.get("key")
        self.messages = [p["message"] for p in self.problems]

    @classmethod
    def _from_problems(cls, problems):
        problems = [_without_dict_lines(dict(p)) for p in problems]
        return cls("\n".join(p["message"] for p in problems), problems)


def _without_dict_lines(problem):
    # A scenario built from a dict is loaded from JSON text the user never sees: its lines and
    # columns would point nowhere, so the message names the key alone.
    if problem.get("file") == DICT_SOURCE and problem.get("line"):
        problem["line"] = problem["column"] = None
        if problem.get("key") and problem.get("what"):
            prefix = problem["message"].split(DICT_SOURCE, 1)[0]
            problem["message"] = f"{prefix}{DICT_SOURCE}: {problem['key']}: {problem['what']}"
    return problem


DICT_SOURCE = "<dict>"


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (KeyboardInterrupt) stopped a run or a sweep; ``result`` holds what it did so far.

    It is a KeyboardInterrupt, so code that does not expect it stops as for any Ctrl-C.
    """

    def __init__(self, result):
        super().__init__("interrupted")
        self.result = result


class DivergedWarning(RuntimeWarning):
    """A run diverged: its loss or model stopped being finite (``result.status == "diverged"``)."""
