"""Files and folders into the store and the index: read, segment, extract, write."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from index.errors import ExhibitError, InputRejected
from index.readers import read_bytes
from index.segments import segment

from .facts import extract, fiscal_calendar, main_period
from .store import Store

SKIP_NAMES = {"MANIFEST.tsv", ".DS_Store"}
# Bump when extraction changes: files ingested by an older extractor are read again.
EXTRACTOR_VERSION = "1"
SKIP_SUFFIXES = {".tsv", ".json", ".jsonl", ".md", ".py", ".csv", ".db", ".toml"}


@dataclass
class IngestReport:
    """What an ingest did: counts, and every rejected file with its reason."""

    added: list[str] = field(default_factory=list)  # doc ids written
    unchanged: list[str] = field(default_factory=list)  # paths skipped by hash
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (path, same bytes as)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    segments: int = 0
    facts: int = 0


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files under the given paths (folders walked, links not followed into loops), and paths that fail."""
    files: list[Path] = []
    bad: list[tuple[str, str]] = []
    seen_dirs: set[tuple[int, int]] = set()
    for p in paths:
        p = Path(p)
        if not p.exists() and not p.is_symlink():
            bad.append((str(p), "no such file or folder"))
            continue
        if p.is_symlink() and not p.exists():
            bad.append((str(p), "broken symbolic link"))
            continue
        if p.is_dir():
            for root, dirs, names in os.walk(p, followlinks=True):
                try:
                    st = os.stat(root)
                except OSError:
                    continue
                key = (st.st_dev, st.st_ino)
                if key in seen_dirs:
                    dirs[:] = []
                    bad.append((root, "symbolic link loop (folder already visited)"))
                    continue
                seen_dirs.add(key)
                dirs.sort()
                for n in sorted(names):
                    f = Path(root) / n
                    if n in SKIP_NAMES or n.startswith(".") or f.suffix.lower() in SKIP_SUFFIXES:
                        continue
                    files.append(f)
        else:
            files.append(p)
    return files, bad


def ingest(
    store: Store,
    paths: Iterable[str | Path],
    index=None,
    progress: Callable[[int, int, str], None] | None = None,
) -> IngestReport:
    """Ingest files and folders: unchanged files skipped by hash, changed files replaced atomically."""
    files, bad = expand_paths(paths)
    rep = IngestReport(rejected=list(bad))
    for i, f in enumerate(files):
        if progress:
            progress(i, len(files), str(f))
        try:
            ingest_file(store, f, rep, index)
        except InputRejected as e:
            rep.rejected.append((str(f), str(e)))
        except ExhibitError:
            raise
        except RecursionError:
            rep.rejected.append((str(f), "malformed file (nesting too deep to read)"))
        except MemoryError:
            rep.rejected.append((str(f), "file too large to read in memory"))
        except Exception as e:  # a parser bug must cost one file, not the whole ingest
            rep.rejected.append((str(f), f"could not be read ({type(e).__name__}: {e})"))
    if progress:
        progress(len(files), len(files), "")
    if not rep.rejected or rep.added or rep.unchanged:
        store.set_meta("extractor_version", EXTRACTOR_VERSION)
    return rep


def ingest_file(store: Store, f: Path, rep: IngestReport, index=None) -> None:
    """Ingest one file into the store (and the index if given)."""
    try:
        raw = f.read_bytes()
    except PermissionError:
        raise InputRejected("permission denied") from None
    except IsADirectoryError:
        raise InputRejected("is a directory") from None
    except OSError as e:
        raise InputRejected(f"cannot read ({e.strerror or e})") from None
    path = str(f.resolve())
    sha = hashlib.sha256(raw).hexdigest()
    if store.file_sha(path) == sha and store.get_meta("extractor_version") == EXTRACTOR_VERSION:
        rep.unchanged.append(path)
        return
    other = store.path_with_sha(sha)
    if other and other != path and Path(other).exists():
        rep.duplicates.append((path, other))
        return
    docs = read_bytes(raw, path)
    parts = []
    for d in docs:
        segs, tables = segment(d)
        facts = extract(d, segs, tables)
        cal = fiscal_calendar(d)
        mp = main_period(facts, d, cal)
        # Keep the calendar the facts were read on (stated or inferred), so answers use the same one.
        d = replace(d, fiscal_year_end=f"{cal.month:02d}-{cal.day:02d}")
        parts.append((d, segs, facts, mp.label if mp else ""))
    docs = [p[0] for p in parts]
    removed = store.replace_file(path, sha, docs[0].text, parts)
    if index is not None:
        with index.bulk() as b:
            for d in removed:
                b.delete_document(d)
            for d, segs, _facts, mp in parts:
                b.replace_document(d.doc_id, d.company, mp, segs)
    for d, segs, facts, _ in parts:
        rep.added.append(d.doc_id)
        rep.segments += len(segs)
        rep.facts += len(facts)
