"""Exhibit: renderer — cited briefings of a release as Markdown, HTML and PDF.

`exhibit brief -o FILE` calls `renderer.briefing.render_to_file`; the output
format comes from the suffix (.md, .html, .pdf). The modules:

- `briefing.py`: the content, selected from the fact store (headline, key
  figures with derived changes, guidance, audit findings, notable passages,
  trend across the company's releases, chart data) and `render_to_file`.
- `sources.py`: citations turned into what a footnote shows.
- `markdown.py`: Briefing → Markdown with `[^n]` footnotes, and templates
  (`{{headline}}`, `{{key_figures}}`, `{{chart}}`, `{{guidance}}`,
  `{{findings}}`, `{{passages}}`, `{{trend}}`, `{{footnotes}}`).
- `html.py`: Markdown → HTML (markdown-it-py, raw HTML off); the chart's SVG
  is inserted after rendering.
- `chart.py`: the SVG bar charts, drawn by our own code.
- `pdf.py`: HTML → PDF with WeasyPrint and a fetcher that serves only our
  assets; `print.css` is the stylesheet.

Only `pdf.py` imports WeasyPrint, and only when a PDF is asked for.
"""
