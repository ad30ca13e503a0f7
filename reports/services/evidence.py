"""佐证材料: files a clerk attaches to a figure or a part while the report can be edited."""

import unicodedata
import zipfile
from functools import partial

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from org.access import Right
from org.audit import Event, audit_record

from ..models import Evidence, Report
from ..workflow import EDITABLE_STATUSES
from .comments import comment_targets
from .common import ReportError, lock_report, require_right

# What is accepted, as the clerk reads it next to the upload field.
ACCEPTED = "PDF、JPG、PNG 图片、Word（.docx）、Excel（.xlsx）"
# Office files are zip archives; these parts say which kind.
OFFICE_MARKERS = {"word/document.xml": Evidence.Kind.DOCX, "xl/workbook.xml": Evidence.Kind.XLSX}


def evidence_kind(upload: UploadedFile) -> str | None:
    """What the file is, from its first bytes (and, for Office files, the archive's table of
    contents); None when it is none of the accepted kinds, whatever its name says."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return Evidence.Kind.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Evidence.Kind.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return Evidence.Kind.JPEG
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names:
            for marker, kind in OFFICE_MARKERS.items():
                if marker in names:
                    return kind
    return None


def clean_file_name(name: str) -> str:
    """The clerk's own file name (Chinese kept), without folders or control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    return base[:200] or "佐证材料"


@transaction.atomic
def evidence_add(*, report: Report, actor: User, target: str, upload: UploadedFile) -> Evidence:
    locked = lock_report(report)
    require_right(actor, locked, Right.WRITE, "只有本乡镇的填报员可以上传佐证材料。")
    if locked.status not in EDITABLE_STATUSES:
        raise ReportError("报告已报送，佐证材料不能再增删；退回修改后可以补充。")
    if target not in comment_targets():
        raise ReportError("请选择佐证材料对应的数据项或部分。")
    if upload.size is None or upload.size > settings.EVIDENCE_MAX_BYTES:
        limit = settings.EVIDENCE_MAX_BYTES // (1024 * 1024)
        raise ReportError(f"文件太大：每个佐证材料不能超过 {limit} MB。")
    if upload.size == 0:
        raise ReportError("文件是空的，请重新选择。")
    kind = evidence_kind(upload)
    if kind is None:
        raise ReportError(f"不支持这种文件：只能上传 {ACCEPTED}（按文件内容判断，不看扩展名）。")
    existing = Evidence.objects.filter(report=locked)
    if existing.count() >= settings.EVIDENCE_MAX_PER_REPORT:
        raise ReportError(f"每份报告最多 {settings.EVIDENCE_MAX_PER_REPORT} 个佐证材料。")
    if existing.filter(target=target).count() >= settings.EVIDENCE_MAX_PER_TARGET:
        raise ReportError(f"每一项最多 {settings.EVIDENCE_MAX_PER_TARGET} 个佐证材料。")
    evidence = Evidence(
        report=locked,
        target=target,
        name=clean_file_name(upload.name or ""),
        kind=kind,
        size=upload.size,
        uploaded_by=actor,
    )
    evidence.file.save("upload", upload, save=False)
    # The file is on disk before the row: if the transaction fails, it must not stay there.
    try:
        evidence.save()
        audit_record(
            event=Event.UPLOAD,
            obj=locked,
            user=actor,
            detail=f"佐证材料：{evidence.name}（{comment_targets()[target]}）",
        )
    except Exception:
        default_storage.delete(evidence.file.name)
        raise
    return evidence


@transaction.atomic
def evidence_delete(*, evidence: Evidence, actor: User) -> None:
    locked = lock_report(evidence.report)
    require_right(actor, locked, Right.WRITE, "只有本乡镇的填报员可以删除佐证材料。")
    if locked.status not in EDITABLE_STATUSES:
        raise ReportError("报告已报送，佐证材料不能再增删。")
    name = evidence.file.name
    evidence.delete()
    audit_record(
        event=Event.UPLOAD, obj=locked, user=actor, detail=f"删除佐证材料：{evidence.name}"
    )
    # Removed from storage only once the row is surely gone.
    transaction.on_commit(partial(default_storage.delete, name))
