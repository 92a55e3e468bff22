"""Settings, read once per cold start from the environment the template sets."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class ConfigurationError(RuntimeError):
    """The function was deployed without a setting it needs."""


_ENVIRONMENT = {
    "table_name": "KITH_TABLE_NAME",
    "meeting_queue_url": "KITH_MEETING_QUEUE_URL",
    "mail_queue_url": "KITH_MAIL_QUEUE_URL",
    "dead_letter_queue_url": "KITH_DEAD_LETTER_QUEUE_URL",
    "sender_address": "KITH_SENDER_ADDRESS",
    "configuration_set": "KITH_CONFIGURATION_SET",
    "public_base_url": "KITH_PUBLIC_BASE_URL",
    "due_shards": "KITH_DUE_SHARDS",
    "stage": "KITH_STAGE",
    "token_key_id": "KITH_TOKEN_KEY_ID",
    "action_keys_secret": "KITH_ACTION_KEYS_SECRET",
    "google_client_id": "KITH_GOOGLE_CLIENT_ID",
    "google_client_secret": "KITH_GOOGLE_CLIENT_SECRET",
    "google_authorize_url": "KITH_GOOGLE_AUTHORIZE_URL",
    "google_token_url": "KITH_GOOGLE_TOKEN_URL",
    "google_api_url": "KITH_GOOGLE_API_URL",
    "microsoft_client_id": "KITH_MICROSOFT_CLIENT_ID",
    "microsoft_client_secret": "KITH_MICROSOFT_CLIENT_SECRET",
    "microsoft_tenant": "KITH_MICROSOFT_TENANT",
    "microsoft_login_url": "KITH_MICROSOFT_LOGIN_URL",
    "graph_url": "KITH_GRAPH_URL",
    "mail_domain": "KITH_MAIL_DOMAIN",
    "inbound_bucket": "KITH_INBOUND_BUCKET",
    "inbound_prefix": "KITH_INBOUND_PREFIX",
    "gmail_api_url": "KITH_GMAIL_API_URL",
    "gmail_push_topic": "KITH_GMAIL_PUSH_TOPIC",
    "gmail_push_service_account": "KITH_GMAIL_PUSH_SERVICE_ACCOUNT",
    "gmail_push_audience": "KITH_GMAIL_PUSH_AUDIENCE",
    "google_certs_url": "KITH_GOOGLE_CERTS_URL",
}


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    table_name: str = Field(min_length=1)
    meeting_queue_url: str = ""
    mail_queue_url: str = ""
    # The dead-letter queue of the queue the function consumes: where records it cannot read go at once.
    dead_letter_queue_url: str = ""
    sender_address: str = ""
    configuration_set: str = ""
    public_base_url: str = ""
    due_shards: int = Field(default=4, ge=1, le=64)
    stage: str = "dev"
    token_key_id: str = ""
    action_keys_secret: str = ""
    google_client_id: str = ""
    google_client_secret: str = Field(default="", repr=False)
    google_authorize_url: str = "https://accounts.google.com/o/oauth2/v2/auth"
    google_token_url: str = "https://oauth2.googleapis.com/token"
    google_api_url: str = "https://www.googleapis.com/calendar/v3"
    microsoft_client_id: str = ""
    microsoft_client_secret: str = Field(default="", repr=False)
    microsoft_tenant: str = "common"
    microsoft_login_url: str = "https://login.microsoftonline.com"
    graph_url: str = "https://graph.microsoft.com/v1.0"
    # "BCC Kith": the domain owners' addresses are at (empty: this stack receives no mail), and where SES stores it.
    mail_domain: str = ""
    inbound_bucket: str = ""
    inbound_prefix: str = "inbound/"
    gmail_api_url: str = "https://gmail.googleapis.com/gmail/v1"
    # Gmail's sent mail reaches Kith through this Cloud Pub/Sub topic (projects/<p>/topics/<t>); empty leaves it off.
    gmail_push_topic: str = ""
    # Who Pub/Sub's push subscription signs its OIDC tokens as, and the audience it writes in them.
    gmail_push_service_account: str = ""
    gmail_push_audience: str = ""
    # Google's keys for the tokens it signs (JWKS).
    google_certs_url: str = "https://www.googleapis.com/oauth2/v3/certs"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        values = {field: environ[name] for field, name in _ENVIRONMENT.items() if name in environ}
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            missing = ", ".join(_ENVIRONMENT[str(error["loc"][0])] for error in exc.errors())
            raise ConfigurationError(f"missing or invalid settings: {missing}") from exc

    @property
    def oauth_clients(self) -> frozenset[str]:
        """The calendars this stack was deployed with an OAuth client for (by provider name)."""
        configured = {"google": self.google_client_id, "outlook": self.microsoft_client_id}
        return frozenset(name for name, client_id in configured.items() if client_id)

    @property
    def microsoft_authorize_url(self) -> str:
        return f"{self.microsoft_login_url.rstrip('/')}/{self.microsoft_tenant}/oauth2/v2.0/authorize"

    @property
    def microsoft_token_url(self) -> str:
        return f"{self.microsoft_login_url.rstrip('/')}/{self.microsoft_tenant}/oauth2/v2.0/token"

    def require(self, field: str) -> str:
        value = getattr(self, field)
        if not value:
            raise ConfigurationError(f"{_ENVIRONMENT[field]} is not set for this function")
        return str(value)
