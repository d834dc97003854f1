"""Request headers without NUL characters: no client sends one for a good reason, and what records headers
(failed-login counters, the sign-in log) stores them in PostgreSQL text, which cannot hold a NUL."""


class StripNulFromHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, value in request.META.items():
            if isinstance(value, str) and "\x00" in value and (key.startswith("HTTP_") or key == "REMOTE_ADDR"):
                request.META[key] = value.replace("\x00", "")
        return self.get_response(request)
