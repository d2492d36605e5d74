"""The shape of ``GET /api/insights/`` (for the schema; the figures are built by
``insights.selectors``)."""

from rest_framework import serializers


class FigureSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="How many listings.")
    query = serializers.CharField(
        help_text="The listing filter for exactly these listings, e.g. condition=New."
    )


class KindFigureSerializer(FigureSerializer):
    kind = serializers.CharField()


class CheckFigureSerializer(FigureSerializer):
    check = serializers.CharField()


class PriceBinSerializer(FigureSerializer):
    min = serializers.DecimalField(max_digits=12, decimal_places=2)


class StaleFigureSerializer(FigureSerializer):
    since = serializers.DateField(help_text="Listings not changed since before this day.")


class StockFigureSerializer(FigureSerializer):
    total_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Price × quantity, summed."
    )
    average_price = serializers.DecimalField(max_digits=12, decimal_places=2)


class SoldWeekSerializer(FigureSerializer):
    week = serializers.DateField(help_text="The Monday the week starts on.")
    revenue = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        help_text="The sold prices (the asking price where none was recorded).",
    )


class PriceHistogramSerializer(serializers.Serializer):
    bin_width = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    bins = PriceBinSerializer(many=True)


class WarningsSerializer(serializers.Serializer):
    any = FigureSerializer()
    by_kind = KindFigureSerializer(many=True)


class FacebookSerializer(serializers.Serializer):
    ready = FigureSerializer()
    not_ready = FigureSerializer()
    by_check = CheckFigureSerializer(many=True)


class InsightsSerializer(serializers.Serializer):
    today = serializers.DateField()
    total = FigureSerializer(
        help_text="Every listing but the archived ones, which the other figures leave out too."
    )
    by_status = FigureSerializer(many=True, help_text="Archived included.")
    stock = StockFigureSerializer(many=True, help_text="Ready and listed stock.")
    by_condition = FigureSerializer(many=True)
    top_categories = FigureSerializer(many=True)
    price_histogram = PriceHistogramSerializer()
    warnings = WarningsSerializer()
    facebook = FacebookSerializer()
    stale = StaleFigureSerializer()
    sold_per_week = SoldWeekSerializer(many=True)
