"""The bundled releases: the corpus that works out of the box."""

from pathlib import Path

CORPUS_DIR = Path(__file__).parent
