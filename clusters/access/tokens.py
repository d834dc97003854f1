"""API tokens: issuing one (the secret is returned once, its SHA-256 stored), and DRF authentication by
`Authorization: Token <secret>` or `Authorization: Bearer <secret>`."""
import hashlib
import secrets

from django.utils import timezone
from rest_framework import authentication, exceptions

PREFIX = "rds_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue(*, user, name: str, read_only: bool = False, deployment=None, expires_at=None):
    """Create a token; returns (token row, secret). The secret is not stored and cannot be shown again."""
    from clusters.models import ApiToken

    key = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, user=user, prefix=key[:12], key_hash=hash_key(key), read_only=read_only,
                     deployment=deployment, expires_at=expires_at)
    token.save()
    return token, key


def revoke(token) -> bool:
    """Revoke a token; False when it already was."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = timezone.now()
    token.save()
    return True


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Authenticate with an ApiToken; unknown, expired, revoked or inactive-user tokens are a 401."""

    keywords = ("token", "bearer")

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace").lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("give the token as `Authorization: Token <token>`")
        return self.authenticate_key(parts[1].decode(errors="replace"))

    def authenticate_key(self, key: str):
        from clusters.models import ApiToken

        token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("invalid token")
        if token.state != "active":
            raise exceptions.AuthenticationFailed(f"token {token.prefix}… is {token.state}")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("the token's user is inactive")
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        user = token.user
        user.api_token = token
        return user, token

    def authenticate_header(self, request):
        return "Token"
