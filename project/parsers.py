"""The API's only parser: DRF's JSON parser, hardened."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    """JSON, where a body nested too deeply to parse is a 400, not a 500.

    Python's json module raises RecursionError (not ValueError, which DRF
    catches) on a few kilobytes of ``[[[[...``.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON nested too deeply.") from None
