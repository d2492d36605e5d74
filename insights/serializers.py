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
    total = FigureSerializer()
    by_condition = FigureSerializer(many=True)
    top_categories = FigureSerializer(many=True)
    price_histogram = PriceHistogramSerializer()
    warnings = WarningsSerializer()
    facebook = FacebookSerializer()
    stale = StaleFigureSerializer()
