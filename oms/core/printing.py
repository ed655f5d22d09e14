"""Printable documents (E-1, E-4, C-5, K-3, L-2, L-5, M-2): one way to turn a template into a
print page or a PDF with Chinese fonts (WeasyPrint and Noto CJK), and the QR code their header
carries. The company header and seal areas are in templates/print_base.html, which every printed
document extends."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe


def qr_svg(text: str) -> SafeString:
    """A QR code of the document's number, as inline SVG (printable, no image files)."""
    return mark_safe(segno.make(text, error="m").svg_inline(scale=3))  # noqa: S308 - generated from our own text


def pdf(template: str, context: dict[str, Any], *, request: HttpRequest | None = None) -> bytes:
    """The template rendered as a PDF; static files resolve against the project directory."""
    from weasyprint import HTML  # imported on use: it loads its fonts and libraries at import

    html = render_to_string(template, context, request=request)
    return bytes(HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf())


def pdf_response(
    template: str,
    context: dict[str, Any],
    *,
    filename: str,
    inline: bool = False,
    request: HttpRequest | None = None,
) -> HttpResponse:
    """The PDF as a download (or shown in the browser, `inline`) named `filename`."""
    response = HttpResponse(pdf(template, context, request=request), content_type="application/pdf")
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response


def printable(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    filename: str,
    pdf_template: str | None = None,
    inline: bool = False,
) -> HttpResponse:
    """The document as a print page or, with ?format=pdf, the same document as a PDF."""
    if request.GET.get("format") == "pdf":
        return pdf_response(pdf_template or template, context, filename=filename, inline=inline)
    return render(request, template, context)


def pdf_of_many(
    template: str, contexts: list[dict[str, Any]], *, request: HttpRequest | None = None
) -> bytes:
    """One PDF of several documents of one kind (issue 23: delivery notes printed together), each
    starting on its own page with its own header and page count, as if printed one by one."""
    from weasyprint import HTML

    documents = [
        HTML(
            string=render_to_string(template, context, request=request), base_url=str(settings.BASE_DIR)
        ).render()
        for context in contexts
    ]
    pages = [page for document in documents for page in document.pages]
    return bytes(documents[0].copy(pages).write_pdf())
