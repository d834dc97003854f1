"""Sets the change context for each web request: source from the URL (api/admin/ui), user from the session."""
from .context import change_context


def source_for_path(path: str) -> str:
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/admin/"):
        return "admin"
    return "ui"


class ChangeContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
        with change_context(user=user, source=source_for_path(request.path)):
            return self.get_response(request)
