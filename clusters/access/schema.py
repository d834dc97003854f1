"""How the OpenAPI schema describes the API token authentication."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "clusters.access.tokens.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": 'An API token, prefixed with "Token" (or "Bearer"): `Token rds_…`. Create one in '
                               "the console (Tokens), with `POST /api/v1/tokens/`, or `manage.py create_api_token`."}
