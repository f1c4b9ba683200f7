"""Counts the SQL queries of a request (bench/settings.py only) into `X-Bench-Queries`."""

from django.db import connections

HEADER = "X-Bench-Queries"


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
            # A streamed or lazily rendered body would query later; pages here render in the view.
        response[HEADER] = str(count)
        return response
