"""Settings that point Kith's functions at the fake provider server, for LocalStack.overrides.

    stack.overrides |= google_overrides(fake)

Kith then sends the owner to the fake's consent page, exchanges codes, refreshes tokens and
calls the calendar API on 127.0.0.1 with the client the fake knows, exactly as it would talk
to the real provider. (Microsoft's authorize and token URLs both follow from its login URL.)
"""

from __future__ import annotations

from kith_local.fake_providers import GOOGLE_CLIENT, MICROSOFT_CLIENT, FakeProviders


def google_overrides(fake: FakeProviders) -> dict[str, str]:
    client_id, client_secret = GOOGLE_CLIENT
    return {
        "KITH_GOOGLE_CLIENT_ID": client_id,
        "KITH_GOOGLE_CLIENT_SECRET": client_secret,
        "KITH_GOOGLE_AUTHORIZE_URL": fake.google_authorize_url,
        "KITH_GOOGLE_TOKEN_URL": fake.google_token_url,
        "KITH_GOOGLE_API_URL": fake.google_calendar_url,
    }


def microsoft_overrides(fake: FakeProviders, tenant: str = "common") -> dict[str, str]:
    client_id, client_secret = MICROSOFT_CLIENT
    return {
        "KITH_MICROSOFT_CLIENT_ID": client_id,
        "KITH_MICROSOFT_CLIENT_SECRET": client_secret,
        "KITH_MICROSOFT_TENANT": tenant,
        "KITH_MICROSOFT_LOGIN_URL": fake.base_url + "/microsoft",
        "KITH_GRAPH_URL": fake.graph_url,
    }
