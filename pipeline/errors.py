"""The project's own error types: every failure a user can cause names the file and the reason."""

from __future__ import annotations

from pathlib import Path


class PipelineError(Exception):
    """Base class: everything the pipeline raises on purpose."""

    def __reduce__(self):  # type: ignore[override]
        # Raised in an extraction worker process, it crosses back by pickle: keep the message and
        # the attributes as they are (the default would call __init__ with the message alone).
        return (_restore, (type(self), self.args, self.__dict__))


def _restore(cls: type[PipelineError], args: tuple, state: dict) -> PipelineError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class SourceError(PipelineError):
    """A source file cannot be used. Always names the file and says why."""

    def __init__(self, path: Path | str, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class ManifestError(SourceError):
    """The sources manifest is missing, malformed or names something it may not."""


class ExtractionError(SourceError):
    """The PDF opened but its content does not fit the layout (with page and position)."""

    def __init__(self, path: Path | str, reason: str, page: int | None = None):
        self.page = page
        where = f" (page {page})" if page is not None else ""
        super().__init__(path, f"{reason}{where}")


class NormalisationError(SourceError):
    """A cell value is malformed or unknown: names file, page and the text found."""


class ValidationFailed(PipelineError):
    """SHACL found violations; nothing was published."""

    def __init__(self, summary: str, report_path: Path | None = None):
        self.summary = summary
        self.report_path = report_path
        super().__init__(summary)


class RunLocked(PipelineError):
    """Another run holds the output lock."""


class SettingsError(PipelineError):
    """An option or setting is malformed or out of range (names it and the allowed values)."""


class GuardRefused(PipelineError):
    """A guard refused to publish (empty sources, a release that would shrink too much)."""


class WarningsAsErrors(GuardRefused):
    """`--strict-warnings`: the run had warnings, so nothing was published."""

    def __init__(self, warnings: tuple[str, ...]):
        self.warnings = warnings
        more = f" (and {len(warnings) - 1} more warnings)" if len(warnings) > 1 else ""
        super().__init__(f"{warnings[0]}{more}; --strict-warnings makes warnings errors: nothing published")


class Interrupted(PipelineError):
    """The run was interrupted (SIGINT/SIGTERM) before it published."""
