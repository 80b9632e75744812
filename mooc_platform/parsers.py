"""DRF's JSON parser with limits (issue 11 item 4; see `mooc_platform.input_guards`): the body is
limited like Django limits forms (`DATA_UPLOAD_MAX_MEMORY_SIZE`, 413), nesting deeper than
JSON_MAX_DEPTH, integers past 64 bits, NaN/Infinity and NUL characters are a 400 before any
serializer runs. Imports nothing of the project: DRF's settings import it while `rest_framework.views`
loads."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework import exceptions, parsers

JSON_MAX_DEPTH = 32
INT64_MAX = 2**63 - 1


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "request_too_large"  # = mooc_platform.errors.Code.REQUEST_TOO_LARGE (not imported: see above)


def _checked_int(text: str) -> int:
    value = int(text)
    if not -INT64_MAX - 1 <= value <= INT64_MAX:
        raise exceptions.ParseError("An integer is out of the 64-bit range.")
    return value


def _refused_constant(name: str) -> Any:
    raise exceptions.ParseError(f"{name} is not a JSON number.")


def _depth_check(data: Any) -> None:
    """Walk the parsed document without recursion: too deep, or a NUL in any key or string, is a 400."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > JSON_MAX_DEPTH:
            raise exceptions.ParseError(f"The JSON document is nested deeper than {JSON_MAX_DEPTH} levels.")
        if isinstance(node, str):
            if "\x00" in node:
                raise exceptions.ParseError("A string contains a NUL character.")
        elif isinstance(node, dict):
            for key, value in node.items():
                if "\x00" in key:
                    raise exceptions.ParseError("A key contains a NUL character.")
                stack.append((value, depth + 1))
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)


class BoundedJSONParser(parsers.JSONParser):
    """DRF's JSON parser with the limits of the module docstring."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        limit = getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None) or 2_621_440
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        try:
            if declared and int(declared) > limit:
                raise RequestTooLarge()
        except ValueError:
            raise exceptions.ParseError("Invalid Content-Length.") from None
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
            data = json.loads(text, parse_int=_checked_int, parse_constant=_refused_constant)
        except exceptions.ParseError:
            raise
        except RecursionError:
            raise exceptions.ParseError(f"The JSON document is nested deeper than {JSON_MAX_DEPTH} levels.") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
        _depth_check(data)
        return data
