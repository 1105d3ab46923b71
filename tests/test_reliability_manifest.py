"""A bad sources manifest: a missing file, a wrong hash, a path outside the sources folder, broken
or hostile YAML. Each is a ManifestError naming sources.yaml and the reason; `servicegraph run`
exits non-zero and output/latest stays as it was."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
import yaml

import reliability_helpers as rh
from pipeline.errors import ManifestError, SourceError
from pipeline.sources import discover_sources

REAL = yaml.safe_load((rh.RAW / "sources.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp()


@pytest.fixture(scope="module")
def baseline(root: Path) -> Path:
    return rh.baseline_output(root)


def manifest_with(**changes: object) -> dict[str, object]:
    """The real manifest with the first entry (the slides) changed."""
    first = {**REAL["sources"][0], **changes}
    return {"sources": [first, REAL["sources"][1]]}


def _outside_pdf(tmp: Path) -> Path:
    secret = tmp / "elsewhere" / "secret.pdf"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_bytes(rh.SLIDES_PDF.read_bytes())
    return secret


def build_case(case: str, tmp: Path) -> tuple[Path, str]:
    """A sources folder with the named manifest problem, and what the error must say."""
    folder = rh.real_sources(tmp / "sources")
    write = lambda data: (folder / "sources.yaml").write_text(  # noqa: E731
        data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    if case == "missing-file":
        write(manifest_with(file="poistettu.pdf"))
        return folder, r"source '000_palveluluokittelu': file 'poistettu\.pdf' does not exist"
    if case == "wrong-hash":
        write(manifest_with(sha256="0" * 64))
        return folder, r"000_palveluluokittelu\.pdf has sha256 [0-9a-f]{64}, the manifest expects 0{64}"
    if case == "parent-path":
        _outside_pdf(tmp)
        write(manifest_with(file="../elsewhere/secret.pdf"))
        return folder, r"refused path '\.\./elsewhere/secret\.pdf': sources must lie inside"
    if case == "absolute-path":
        secret = _outside_pdf(tmp)
        write(manifest_with(file=str(secret)))
        return folder, rf"refused path '{re.escape(str(secret))}': sources must lie inside"
    if case == "symlink-outside":
        secret = _outside_pdf(tmp)
        (folder / "linkki.pdf").symlink_to(secret)
        write(manifest_with(file="linkki.pdf"))
        return folder, r"refused path 'linkki\.pdf': it resolves outside"
    if case == "invalid-yaml":
        write("sources:\n- id: a\n  file: [unclosed.pdf\n")
        return folder, r"invalid YAML at line \d+, column \d+"
    raise AssertionError(case)


CASES = ["missing-file", "wrong-hash", "parent-path", "absolute-path", "symlink-outside", "invalid-yaml"]


@pytest.mark.parametrize("case", CASES)
def test_a_bad_manifest_is_refused_naming_it_and_the_reason(case: str, tmp_path: Path) -> None:
    folder, reason = build_case(case, tmp_path)
    with pytest.raises(ManifestError) as caught:
        discover_sources(folder)
    assert caught.value.path == str(folder / "sources.yaml")
    assert re.search(reason, caught.value.reason), caught.value.reason


@pytest.mark.parametrize("case", CASES)
def test_a_run_with_a_bad_manifest_exits_non_zero_and_keeps_the_release(
    case: str, tmp_path: Path, root: Path, baseline: Path
) -> None:
    folder, reason = build_case(case, tmp_path)
    output = rh.copy_output(baseline, tmp_path / "output")
    before, target = rh.snapshot(output), rh.latest_target(output)
    result = rh.invoke(["run", "--no-prefect", "--no-fetch", "--sources", str(folder), "--output", str(output)],
                       {"SERVICEGRAPH_CACHE_DIR": str(rh.shared_cache(root))})
    assert result.exit_code == 1
    assert re.search(rf"^error: {re.escape(str(folder / 'sources.yaml'))}: .*{reason}", result.stderr.strip()), result.stderr
    assert rh.latest_target(output) == target and rh.snapshot(output) == before


def test_an_unlisted_symlink_to_a_pdf_outside_the_folder_is_refused(tmp_path: Path) -> None:
    folder = rh.real_sources(tmp_path / "sources")
    (folder / "vuoto.pdf").symlink_to(_outside_pdf(tmp_path))
    with pytest.raises(SourceError, match=r"vuoto\.pdf: refused: it is a link to .*secret\.pdf, outside the sources folder"):
        discover_sources(folder)


def test_a_symlink_inside_the_folder_to_a_listed_file_is_the_same_source(tmp_path: Path) -> None:
    folder = rh.real_sources(tmp_path / "sources")
    (folder / "kopio.pdf").symlink_to(folder / "002_liitetaulukko.pdf")
    assert [s.id for s in discover_sources(folder)] == ["000_palveluluokittelu", "002_liitetaulukko"]


HOSTILE = {
    # 5000 nested lists: the YAML parser's recursion, not a RecursionError traceback
    "deep-nesting": ("sources: " + "[" * 5000 + "]" * 5000, r"nested too deeply"),
    "nul-in-path": ('sources:\n- id: a\n  file: "a\\0.pdf"\n', r"refused path 'a\\x00\.pdf': it contains a NUL"),
    "overlong-name": ('sources:\n- id: a\n  file: "' + "x" * 5000 + '.pdf"\n', r"file 'x{100,}.*cannot be used: File name too long"),
    # YAML aliases: a title that would expand to 9**8 strings if turned into text
    "alias-bomb": (
        "a: &a [x,x,x,x,x,x,x,x,x]\n"
        + "".join(f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefg", "bcdefgh"))
        + "sources:\n- id: a\n  file: a.pdf\n  title: *h\n",
        r"'title' must be a single value, not a list or mapping",
    ),
    "not-utf8": (b"sources:\n- id: \xff\xfe\n", r"not UTF-8 text"),
    "not-a-mapping": ("- just\n- a\n- list\n", r"expected a mapping with a list under 'sources:'"),
    "unknown-key": ("sources:\n- id: a\n  file: a.pdf\n  pasword: x\n", r"unknown keys: pasword"),
    "duplicate-id": ("sources:\n- {id: a, file: a.pdf}\n- {id: a, file: b.pdf}\n", r"source id 'a' is listed twice"),
    "bad-id": ("sources:\n- {id: '../a', file: a.pdf}\n", r"needs an 'id' of letters"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_manifest_is_a_manifest_error_in_bounded_time(case: str, tmp_path: Path) -> None:
    text, reason = HOSTILE[case]
    (tmp_path / "sources.yaml").write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    started = time.monotonic()
    with pytest.raises(ManifestError) as caught:
        discover_sources(tmp_path)
    assert time.monotonic() - started < 5
    assert caught.value.path == str(tmp_path / "sources.yaml")
    assert re.search(reason, caught.value.reason), caught.value.reason


def test_a_manifest_that_is_a_folder_is_a_manifest_error(tmp_path: Path) -> None:
    (tmp_path / "sources.yaml").mkdir()
    with pytest.raises(ManifestError, match=r"sources\.yaml: cannot read the manifest: Is a directory"):
        discover_sources(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files regardless of permissions")
def test_an_unreadable_pdf_is_a_source_error(tmp_path: Path) -> None:
    folder = rh.real_sources(tmp_path / "sources")
    (folder / "002_liitetaulukko.pdf").chmod(0)
    with pytest.raises(SourceError, match=r"002_liitetaulukko\.pdf: cannot read the file: Permission denied"):
        discover_sources(folder)


def test_a_folder_named_like_a_pdf_is_a_source_error(tmp_path: Path) -> None:
    folder = rh.real_sources(tmp_path / "sources")
    (folder / "kansio.pdf").mkdir()
    with pytest.raises(SourceError, match=r"kansio\.pdf: cannot read the file: Is a directory"):
        discover_sources(folder)
