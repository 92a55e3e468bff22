"""Settings read once from the environment the template sets."""

from __future__ import annotations

import pytest
from kith.config import ConfigurationError, Settings


def test_all_settings_read_from_the_environment() -> None:
    # Given every KITH_ variable, When settings are read
    settings = Settings.from_environ(
        {
            "KITH_TABLE_NAME": "kith-dev",
            "KITH_MAIL_QUEUE_URL": "https://sqs.example/mail",
            "KITH_SENDER_ADDRESS": "kith@example.com",
            "KITH_DUE_SHARDS": "16",
            "KITH_STAGE": "prod",
            "UNRELATED": "ignored",
        }
    )
    # Then each lands in its field, numbers as numbers, others at their defaults
    assert settings.table_name == "kith-dev"
    assert settings.mail_queue_url == "https://sqs.example/mail"
    assert settings.due_shards == 16
    assert settings.stage == "prod"
    assert settings.meeting_queue_url == ""


def test_missing_table_name_is_a_configuration_error_naming_it() -> None:
    # Given an environment without KITH_TABLE_NAME, When read, Then the error names that variable
    with pytest.raises(ConfigurationError, match="KITH_TABLE_NAME"):
        Settings.from_environ({"KITH_STAGE": "dev"})


def test_empty_table_name_is_a_configuration_error_naming_it() -> None:
    # Given KITH_TABLE_NAME set to nothing, When read, Then it is refused by name
    with pytest.raises(ConfigurationError, match="KITH_TABLE_NAME"):
        Settings.from_environ({"KITH_TABLE_NAME": ""})


@pytest.mark.parametrize("value", ["many", "0", "65"])
def test_invalid_shard_count_names_its_variable(value: str) -> None:
    # Given an unusable shard count, When read, Then the error names KITH_DUE_SHARDS and not the table
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_environ({"KITH_TABLE_NAME": "t", "KITH_DUE_SHARDS": value})
    assert "KITH_DUE_SHARDS" in str(caught.value)
    assert "KITH_TABLE_NAME" not in str(caught.value)


def test_require_returns_a_set_value() -> None:
    # Given a set sender address, When required, Then it is returned
    settings = Settings.from_environ({"KITH_TABLE_NAME": "t", "KITH_SENDER_ADDRESS": "kith@example.com"})
    assert settings.require("sender_address") == "kith@example.com"


@pytest.mark.parametrize(
    ("field", "variable"),
    [
        ("mail_queue_url", "KITH_MAIL_QUEUE_URL"),
        ("sender_address", "KITH_SENDER_ADDRESS"),
        ("public_base_url", "KITH_PUBLIC_BASE_URL"),
    ],
)
def test_require_names_the_missing_variable(field: str, variable: str) -> None:
    # Given a function deployed without an optional setting it needs, When required
    settings = Settings.from_environ({"KITH_TABLE_NAME": "t"})
    # Then the error names the environment variable to set
    with pytest.raises(ConfigurationError, match=variable):
        settings.require(field)
