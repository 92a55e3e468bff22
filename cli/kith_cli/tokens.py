"""The sign-in `kith login` keeps: ~/.config/kith/login.json, readable by its owner alone, renewed before it expires."""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import secrets
import stat
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kith_cli import oauth
from kith_cli.errors import Refused

# A token this close to its end is renewed first, so it cannot lapse between the check and the API's.
RENEW_BEFORE = timedelta(seconds=60)
EXPIRED = "your sign-in has expired: run `kith login`"


@dataclass(frozen=True)
class StoredLogin:
    api: str
    token_url: str
    client_id: str
    access_token: str
    id_token: str
    refresh_token: str
    expires_at: datetime
    revoke_url: str | None = None

    def claims(self) -> dict[str, Any]:
        """The ID token's claims (who signed in), or none when it holds none.

        Its signature is not checked: kith received it from the token endpoint itself, over TLS, and shows
        it only; the API checks the access token.
        """
        try:
            payload = self.id_token.split(".")[1]
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except (IndexError, ValueError, binascii.Error):
            return {}
        return claims if isinstance(claims, dict) else {}

    def expires_within(self, margin: timedelta, now: datetime) -> bool:
        return self.expires_at - now <= margin

    def document(self) -> dict[str, Any]:
        return {**asdict(self), "expires_at": self.expires_at.astimezone(UTC).isoformat()}

    @classmethod
    def read(cls, document: Any) -> StoredLogin:
        if not isinstance(document, dict):
            raise ValueError("not an object")
        texts = ("api", "token_url", "client_id", "access_token", "id_token", "refresh_token")
        if not all(isinstance(document.get(name), str) for name in texts):
            raise ValueError("a field is missing")
        revoke_url = document.get("revoke_url")
        expires_at = datetime.fromisoformat(str(document.get("expires_at")))
        if expires_at.tzinfo is None:
            raise ValueError("expires_at has no time zone")
        return cls(
            **{name: document[name] for name in texts},
            expires_at=expires_at,
            revoke_url=revoke_url if isinstance(revoke_url, str) else None,
        )


def login_file(environ: Mapping[str, str]) -> Path:
    """$XDG_CONFIG_HOME/kith/login.json, else ~/.config/kith/login.json (a relative one is ignored, as XDG says)."""
    base = environ.get("XDG_CONFIG_HOME", "")
    folder = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return folder / "kith" / "login.json"


def save(path: Path, login: StoredLogin) -> None:
    """Written whole or not at all, and never readable by anyone else, not even for a moment."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            os.fchmod(file.fileno(), 0o600)
            json.dump(login.document(), file, indent=2)
            file.write("\n")
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise


def load(path: Path) -> StoredLogin | None:
    """The stored sign-in, None when there is none; Refused for one others could read or one kith did not write."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    if status.st_mode & 0o077:
        raise Refused(
            f"{path} can be read by others (mode {stat.filemode(status.st_mode)}), so its sign-in is not used: "
            f"run `chmod 600 {path}`, or `kith logout` and `kith login` again"
        )
    if hasattr(os, "getuid") and status.st_uid != os.getuid():
        raise Refused(f"{path} belongs to another user, so its sign-in is not used: run `kith logout`")
    try:
        return StoredLogin.read(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        raise Refused(f"{path} is not a sign-in kith can read: run `kith logout`, then `kith login`") from None


def forget(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def renewed(
    login: StoredLogin,
    now: datetime,
    refresh: Callable[[str, str, str], oauth.Tokens] = oauth.refresh,
) -> StoredLogin:
    """The sign-in with a new access token, bought with its refresh token; Refused when that is refused."""
    if not login.refresh_token:
        raise Refused(EXPIRED)
    try:
        tokens = refresh(login.token_url, login.client_id, login.refresh_token)
    except oauth.OAuthRefused:
        raise Refused(EXPIRED) from None
    return replace(
        login,
        access_token=tokens.access_token,
        id_token=tokens.id_token or login.id_token,
        # Cognito keeps the refresh token it gave; a server that rotates them sends the next one.
        refresh_token=tokens.refresh_token or login.refresh_token,
        expires_at=now + timedelta(seconds=tokens.expires_in),
    )


class SignedIn:
    """The bearer token of the stored sign-in, renewed (and the renewal stored) when it is about to expire."""

    def __init__(
        self,
        path: Path,
        login: StoredLogin,
        now: Callable[[], datetime],
        refresh: Callable[[str, str, str], oauth.Tokens] = oauth.refresh,
    ) -> None:
        self.path = path
        self.login = login
        self._now = now
        self._refresh = refresh

    def __call__(self) -> str:
        now = self._now()
        if self.login.expires_within(RENEW_BEFORE, now):
            self.login = renewed(self.login, now, self._refresh)
            save(self.path, self.login)
        return self.login.access_token
