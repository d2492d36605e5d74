"""The grid filter ``?scan=ID``: the listings made from one of the user's scans."""

from django.db.models import Q

from accounts.models import User
from listings.filters import ListingFilter
from listings.selectors import filter_id
from ocr.models import Scan


def _describe(user: User, value: str) -> str:
    scan = Scan.objects.filter(owner=user, pk=filter_id("scan", value)).first()
    if scan is None:
        return f"Listings from scan {value} (no such scan of yours)"
    return f"Listings from scan {scan.pk} ({scan.original_name})"


# Listings are the owner's already, so another user's scan id matches none of them.
def _scan_q(user: User, value: str) -> Q:
    return Q(ocr_scan_id=filter_id("scan", value))


SCAN_FILTER = ListingFilter(name="scan", q=_scan_q, describe=_describe)
