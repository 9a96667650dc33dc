"""HTML to heading-structured text, so HTML pages chunk along their headings like Markdown."""

from __future__ import annotations

from bs4 import BeautifulSoup

_SKIP = ("script", "style", "nav", "header", "footer", "noscript", "template", "svg")
_BLOCKS = ("p", "li", "pre", "blockquote", "tr", "dt", "dd", "caption")


def html_to_markdown(html: str) -> tuple[str | None, str]:
    """Return the page title and its text, headings rewritten as Markdown ``#`` lines."""
    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    for tag in soup.find_all(_SKIP):
        tag.decompose()
    if soup.head:
        soup.head.decompose()
    lines: list[str] = []
    for element in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6", *_BLOCKS]):
        if element.find_parent(_BLOCKS):
            continue  # its text is already part of the enclosing block
        text = " ".join(element.get_text(" ", strip=True).split())
        if not text:
            continue
        if element.name.startswith("h") and len(element.name) == 2:
            lines.extend(["", "#" * int(element.name[1]) + " " + text, ""])
        elif element.name == "li":
            lines.append("- " + text)
        else:
            lines.extend([text, ""])
    if not lines:  # pages without block markup: fall back to all visible text
        lines = [" ".join(soup.get_text(" ", strip=True).split())]
    return title, "\n".join(lines).strip() + "\n"
