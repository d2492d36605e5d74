from django import template

from photos.selectors import photo_summaries

register = template.Library()

# Where one request keeps the photo column of every row on its page: each row is a
# template partial of its own, rendered with a fresh render context.
_SUMMARIES = "_photo_summaries"
# The lists of rows the grid's templates render (a page, a paste's new and changed rows).
ROW_LISTS = ("rows", "created", "updated")


@register.inclusion_tag("photos/_cell.html", takes_context=True)
def photo_cell(context, row):
    """The grid's photo column of ``row``: the first thumbnail and the count, opening
    the row's drawer. The grid page knows nothing of photos; this tag brings them in,
    reading every row of the page at once the first time it is asked."""
    request = context["request"]
    cache = request.__dict__.setdefault(_SUMMARIES, {})
    pk = int(row.pk)
    if pk not in cache:
        ids = {pk}
        for name in ROW_LISTS:
            rows = context.get(name)
            if isinstance(rows, list | tuple):
                ids.update(int(other.pk) for other in rows if hasattr(other, "pk"))
        cache.update(photo_summaries(request.user, ids))
    return {"listing_id": pk, "summary": cache[pk], "title": row.title}


@register.inclusion_tag("photos/_drawer_shell.html")
def photo_drawer():
    """The dialog the rows' photo drawers open in (once per page)."""
    return {}
