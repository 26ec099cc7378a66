"""HTML → PDF with WeasyPrint: our print stylesheet, our assets only, no network, no warnings.

The URL fetcher serves files under renderer/ (the stylesheet and assets) and
refuses everything else: no http(s), no data from elsewhere on disk, no
file:// outside the package. It records every URL it was asked for, so a
caller (and the tests) can see that nothing else was requested.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from index.errors import RenderError

from .html import ASSETS

ASSET_SUFFIXES = {".css", ".svg", ".png", ".jpg", ".jpeg", ".woff", ".woff2", ".ttf", ".otf"}
BASE_URL = ASSETS.as_uri() + "/"


class RefusedURL(ValueError):
    """A URL outside our assets (WeasyPrint logs it and renders without it)."""


class AssetFetcher(URLFetcher):
    """A WeasyPrint fetcher that serves only files under renderer/ and records every request."""

    def __init__(self):
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.requested: list[str] = []
        self.refused: list[str] = []

    @staticmethod
    def asset_path(url: str) -> Path | None:
        """The package file a URL names, or None when it is not one of our assets."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost") or parts.query:
            return None
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_relative_to(ASSETS) or path.suffix.lower() not in ASSET_SUFFIXES:
            return None
        return path if path.is_file() else None

    def fetch(self, url, headers=None):
        """Serve an asset, or refuse (RefusedURL) anything else."""
        self.requested.append(url)
        path = self.asset_path(url)
        if path is None:
            self.refused.append(url)
            raise RefusedURL(f"not one of the briefing's assets: {url}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if mime.startswith("text/"):
            mime += "; charset=utf-8"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})


def _font_options() -> dict:
    """Embed whole fonts when HarfBuzz-Subset is missing (WeasyPrint would warn and fall back)."""
    try:
        from weasyprint.text.ffi import harfbuzz_subset
    except ImportError:  # pragma: no cover - older WeasyPrint
        return {}
    return {"full_fonts": True} if harfbuzz_subset is None else {}


def to_pdf(page_html: str, fetcher: AssetFetcher | None = None) -> tuple[bytes, AssetFetcher]:
    """PDF bytes of an HTML document (made by html.to_html with stylesheet='link'), and the fetcher used."""
    fetcher = fetcher or AssetFetcher()
    try:
        doc = HTML(string=page_html, base_url=BASE_URL, url_fetcher=fetcher)
        data = doc.write_pdf(**_font_options())
    except Exception as e:  # WeasyPrint raises many kinds; the user gets one line
        raise RenderError(f"PDF rendering failed: {type(e).__name__}: {e}") from e
    if data is None:  # pragma: no cover - write_pdf returns bytes without a target
        raise RenderError("PDF rendering produced nothing")
    return data, fetcher
