"""Reads of scans, scoped to their owner: another user's scan is a 404."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from ocr.models import Candidate, Scan, ScanPage


def scans_for_user(user: User) -> QuerySet[Scan]:
    return Scan.objects.filter(owner=user)


def scan_get_for_user(user: User, scan_id: int) -> Scan:
    return get_object_or_404(scans_for_user(user), pk=scan_id)


def scan_detail_for_user(user: User, scan_id: int) -> Scan:
    """A scan with its pages and candidates, in three queries."""
    candidates = Candidate.objects.select_related("page", "listing").order_by(
        "page__number", "position", "id"
    )
    return get_object_or_404(
        scans_for_user(user).prefetch_related(
            Prefetch("pages", queryset=ScanPage.objects.order_by("number")),
            Prefetch("candidates", queryset=candidates),
        ),
        pk=scan_id,
    )


def candidate_get_for_user(user: User, scan_id: int, candidate_id: int) -> Candidate:
    return get_object_or_404(
        Candidate.objects.select_related("scan"), scan__owner=user, scan_id=scan_id, pk=candidate_id
    )


def page_get_for_user(user: User, scan_id: int, number: int) -> ScanPage:
    return get_object_or_404(ScanPage, scan__owner=user, scan_id=scan_id, number=number)
