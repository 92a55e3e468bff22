"""The recorder: each call as the IAM actions and resources it is authorized against, made by whom."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from kith.runtime import Runtime
from kith_local.calls import Call, CallLog, RecordingClients, iam_requests, invoking, read
from moto import mock_aws

REGION = "us-east-1"
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/kith-local"


def test_a_transaction_needs_each_items_own_action_once_per_table() -> None:
    items = [
        {"Put": {"TableName": "kith-local", "Item": {}}},
        {"Put": {"TableName": "kith-local", "Item": {}}},
        {"ConditionCheck": {"TableName": "kith-local", "Key": {}}},
        {"Update": {"TableName": "kith-other", "Key": {}}},
    ]

    assert iam_requests("dynamodb", "TransactWriteItems", {"TransactItems": items}, {}, REGION) == [
        ("dynamodb:PutItem", TABLE),
        ("dynamodb:ConditionCheckItem", TABLE),
        ("dynamodb:UpdateItem", "arn:aws:dynamodb:us-east-1:123456789012:table/kith-other"),
    ]


def test_a_query_on_an_index_needs_the_index_and_a_batch_each_table() -> None:
    query = {"TableName": "kith-local", "IndexName": "DueIndex"}
    batch: dict[str, Any] = {"RequestItems": {"kith-local": {"Keys": []}}}

    assert iam_requests("dynamodb", "Query", query, {}, REGION) == [("dynamodb:Query", f"{TABLE}/index/DueIndex")]
    assert iam_requests("dynamodb", "BatchGetItem", batch, {}, REGION) == [("dynamodb:BatchGetItem", TABLE)]


def test_a_batch_send_is_sqs_send_message_on_the_queue_its_url_names() -> None:
    url = "http://127.0.0.1:5000/123456789012/kith-e2e1-MailQueue"

    assert iam_requests("sqs", "SendMessageBatch", {"QueueUrl": url, "Entries": []}, {}, REGION) == [
        ("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:kith-e2e1-MailQueue")
    ]


def test_an_ses_v2_send_needs_ses_send_email_on_the_sender_and_the_configuration_set() -> None:
    params = {"FromEmailAddress": "Kith <kith@kith.local>", "ConfigurationSetName": "kith-local"}

    assert iam_requests("ses", "SendEmail", params, {}, REGION) == [
        ("ses:SendEmail", "arn:aws:ses:us-east-1:123456789012:identity/kith@kith.local"),
        ("ses:SendEmail", "arn:aws:ses:us-east-1:123456789012:configuration-set/kith-local"),
    ]


def test_a_secret_is_the_arn_secrets_manager_answered_or_its_name_with_an_unknown_suffix() -> None:
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:kith/local/ActionKeys-Ab3dEf"
    asked = {"SecretId": "kith/local/ActionKeys"}

    assert iam_requests("secretsmanager", "GetSecretValue", asked, {"ARN": arn}, REGION) == [
        ("secretsmanager:GetSecretValue", arn)
    ]
    assert iam_requests("secretsmanager", "GetSecretValue", asked, {"Error": {}}, REGION) == [
        ("secretsmanager:GetSecretValue", f"{arn[:-6]}??????")
    ]


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


def test_a_decrypt_is_recorded_on_the_key_by_its_alias_and_calls_outside_a_run_apart(aws: None, tmp_path: Path) -> None:
    # Given a key known by the local stack's alias, and the API function's runtime with its clients recorded
    kms = boto3.client("kms", region_name=REGION)
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/kith-local-TokenKey", TargetKeyId=key)
    sealed = kms.encrypt(KeyId=key, Plaintext=b"refresh token")["CiphertextBlob"]
    log = CallLog()
    environ = {"KITH_STAGE": "local", "KITH_TABLE_NAME": "kith-local"}
    runtime = Runtime(environ, RecordingClients("ApiFunction", "local", log))
    client = runtime.client("kms")
    # When the function decrypts while it runs, and a test decrypts through the same client afterwards
    with invoking("ApiFunction"):
        client.decrypt(CiphertextBlob=sealed)
    client.decrypt(CiphertextBlob=sealed)
    # Then both name the key by its alias (Decrypt names no key: KMS's answer does), one as the function's own
    decrypt = Call(
        "ApiFunction",
        "local",
        "Decrypt",
        "kms:Decrypt",
        "arn:aws:kms:us-east-1:123456789012:key/alias/kith-local-TokenKey",
    )
    assert log.made == {decrypt: 1}
    assert log.outside == {decrypt: 1}
    # And the log written to a file reads back the same
    log.write(tmp_path / "calls-1.jsonl")
    assert read(tmp_path) == (log.made, log.outside)
