"""E-2, I-4, M-4: every version of a controlled document keeps its own number, however many
uploads of the same title arrive at once; the database refuses a second copy of a number."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, connections, transaction

from oms.contracts import actions
from oms.contracts.models import Document
from oms.intake.tests.fixtures import confirmed_order


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _upload(org: dict[str, Any], order: Any, body: bytes = b"%PDF-1.4 drawing") -> Document:
    return actions.upload_document(
        actor=org["tech_head"],
        order=order,
        doc_type="drawing",
        title="总装图",
        upload=SimpleUploadedFile("a.pdf", body),
    )


@pytest.mark.django_db
def test_the_database_refuses_a_second_copy_of_a_version(org) -> None:
    """E-2: `document_unique_version` refuses a row with the number of an existing version of the
    same title, and nothing is added."""
    first = _upload(org, confirmed_order(org))
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(
            order=first.order,
            doc_type=first.doc_type,
            title=first.title,
            version_no=first.version_no,
            file=first.file.name,
            file_name="b.pdf",
            sha256=first.sha256,
            size=first.size,
            owner=first.owner,
        )
    assert list(Document.objects.values_list("pk", flat=True)) == [first.pk]


def _first_upload_held_open(org: dict[str, Any], order: Any, uploaded: threading.Event, go: threading.Event):
    """The first upload, its transaction left open until the second has started."""
    try:
        with transaction.atomic():
            _upload(org, order, b"%PDF-1.4 first")
            uploaded.set()
            go.wait(timeout=2)  # the second upload waits meanwhile (or, unlocked, reads stale)
    finally:
        connections.close_all()


def _second_upload(org: dict[str, Any], order: Any, uploaded: threading.Event, out: list[Any]) -> None:
    try:
        uploaded.wait(timeout=30)
        out.append(_upload(org, order, b"%PDF-1.4 second").version_no)
    except BaseException as exc:
        out.append(exc)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # committed: two connections
def test_two_uploads_of_one_title_at_once_get_consecutive_versions(org) -> None:
    """E-2, I-4: while one upload of a title is still open in its transaction, a second one on
    another connection waits for it and becomes version 2 (unlocked, it read version 1 as the
    latest too and failed on the unique version); exactly one version stays current."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time (BEGIN IMMEDIATE)")
    order = confirmed_order(org)
    uploaded, go, out = threading.Event(), threading.Event(), []
    first = threading.Thread(target=_first_upload_held_open, args=(org, order, uploaded, go))
    second = threading.Thread(target=_second_upload, args=(org, order, uploaded, out))
    first.start()
    second.start()
    uploaded.wait(timeout=30)
    second.join(timeout=1)  # still waiting for the first upload's lock
    go.set()
    first.join()
    second.join()
    rows = list(
        Document.objects.filter(title="总装图").order_by("version_no").values_list("version_no", "superseded")
    )
    assert out == [2] and rows == [(1, True), (2, False)]
