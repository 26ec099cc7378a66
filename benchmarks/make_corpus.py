"""Make a benchmark corpus: the shared corpus replicated into N releases under distinct companies and periods.

Not a test. Run from the repository root:

    .venv/bin/python benchmarks/make_corpus.py N OUT_DIR [--source ../shared/corpus]

Release i is template `i % T` of the T source files (sorted, the bundled seed release first). Round
`k = i // T` keeps the template as it is for k = 0 (so every corpus of T or more releases holds the
original corpus, and the same questions have answers at every size); for k >= 1 the company's name
word is replaced everywhere by a made-up one (`Zefron0042`) and every year 1990..2029 printed in
the text is moved forward by k (so periods differ too). Bytes are edited as Latin-1, so a cp1252 or
UTF-8 file stays valid. File names are `NNNNN_<template name>` so every release is a new file.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SKIP = {"MANIFEST.tsv"}
YEAR_RE = re.compile(r"(?<![\d,.$])(19[9]\d|20[0-2]\d)(?![\d,])")
SYLLABLES = ["ze", "fro", "qua", "lin", "tor", "vex", "mar", "dun", "kal", "sib", "op", "rex"]
NOT_A_NAME = {"the", "a", "an", "inc", "corp", "corporation", "company", "group"}


def templates(source: Path) -> list[Path]:
    """Source files, the bundled seed release first (the questions in the benchmarks ask about it)."""
    files = sorted(
        p for p in source.iterdir() if p.is_file() and p.name not in SKIP and not p.name.startswith(".")
    )
    seed = [p for p in files if p.name.startswith("mpower")]
    return seed + [p for p in files if p not in seed]


def name_word(raw: bytes, path: Path) -> str:
    """The word that names the template's company ('Mpower', 'Apple', 'Goldman'), as Exhibit reads it."""
    from index.readers import read_bytes

    doc = read_bytes(raw, str(path))[0]
    for w in re.findall(r"[A-Za-z][A-Za-z&'-]+", doc.company):
        if w.lower() not in NOT_A_NAME:
            return w
    return path.stem.split("_")[0]


def made_up_name(k: int, t: int) -> str:
    """A pronounceable, unique, capitalised company word for round k of template t."""
    n = k * 1000 + t
    a = SYLLABLES[n % len(SYLLABLES)]
    b = SYLLABLES[(n // len(SYLLABLES)) % len(SYLLABLES)]
    return f"{a}{b}".capitalize() + f"{n:05d}"


def transform(text: str, word: str, new: str, shift: int) -> str:
    """Rename the company (as written, UPPER and lower case) and move every year forward by `shift`."""
    for old, rep in ((word, new), (word.upper(), new.upper()), (word.lower(), new.lower())):
        text = re.sub(rf"\b{re.escape(old)}\b", rep, text)
    if shift:
        text = YEAR_RE.sub(lambda m: str(int(m.group(1)) + shift), text)
        # Two-digit years in column heads such as "1Q04" or "Q4 '21" follow the four-digit ones.
        text = re.sub(
            r"\b([1-4]Q)(\d\d)\b", lambda m: f"{m.group(1)}{(int(m.group(2)) + shift) % 100:02d}", text
        )
    return text


def make(n: int, out: Path, source: Path) -> list[Path]:
    """Write n releases into `out` (kept if already complete); returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    tpl = templates(source)
    if not tpl:
        raise SystemExit(f"no source releases in {source}")
    raws = [p.read_bytes() for p in tpl]
    words = [name_word(r, p) for r, p in zip(raws, tpl, strict=True)]
    paths = []
    for i in range(n):
        t, k = i % len(tpl), i // len(tpl)
        dest = out / f"{i:05d}_{tpl[t].name}"
        paths.append(dest)
        if dest.exists():
            continue
        if k == 0:
            dest.write_bytes(raws[t])
            continue
        text = raws[t].decode("latin-1")
        dest.write_bytes(transform(text, words[t], made_up_name(k, t), k % 20).encode("latin-1"))
    wanted = {p.name for p in paths}
    for extra in out.iterdir():  # a smaller corpus in a reused folder: drop the rest
        if extra.name not in wanted:
            extra.unlink()
    return paths


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("n", type=int, help="number of releases")
    p.add_argument("out", type=Path, help="folder to write them into")
    p.add_argument("--source", type=Path, default=REPO.parent / "shared" / "corpus")
    args = p.parse_args(argv)
    paths = make(args.n, args.out, args.source)
    size = sum(x.stat().st_size for x in paths)
    print(f"{len(paths)} releases, {size / 2**20:.1f} MiB in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
