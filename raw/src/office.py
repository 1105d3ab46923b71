"""Convert an office file to PDF with LibreOffice, headless, in a private profile."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from pipeline.errors import SourceError

# One conversion takes about 2 s; a hung soffice must not hang a build or a test run.
CONVERT_TIMEOUT_S = 120


def soffice_path() -> str | None:
    """The soffice executable, or None when LibreOffice is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(source: Path, out_dir: Path) -> Path:
    """Convert `source` to `out_dir/<stem>.pdf` and return that path.

    Each call gets its own user profile: two soffice processes sharing a profile refuse to
    start or silently do nothing, and tests and builds may run side by side.
    """
    exe = soffice_path()
    if exe is None:
        raise SourceError(source, "LibreOffice (soffice) is not installed; cannot convert to PDF")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{source.stem}.pdf"
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        cmd = [
            exe,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(source),
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=CONVERT_TIMEOUT_S)
        except subprocess.TimeoutExpired as exc:
            raise SourceError(source, f"soffice did not finish in {CONVERT_TIMEOUT_S} s") from exc
    if done.returncode != 0 or not target.is_file():
        reason = (done.stderr or done.stdout).strip() or f"exit status {done.returncode}"
        raise SourceError(source, f"soffice could not convert it to PDF: {reason}")
    return target
