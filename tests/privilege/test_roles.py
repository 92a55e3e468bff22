"""The check itself: roles read from the SAM transform, IAM's wildcards, and what a role allows."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from kith_local.calls import Call
from kith_local.template import load_template

from tests.privilege.review import review
from tests.privilege.roles import Grant, Role, UnknownPolicy, deciding, grants, local_references, matches, roles

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/kith-local"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:kith-local-{}"
KEY = "arn:aws:kms:us-east-1:123456789012:key/alias/kith-local-TokenKey"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:kith/local/ActionKeys-Ab3dEf"
SES = "arn:aws:ses:us-east-1:123456789012:{}"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module")
def function_roles(template: dict[str, Any]) -> dict[str, Role]:
    return roles(template)


@pytest.fixture(scope="module")
def local(template: dict[str, Any], function_roles: dict[str, Role]) -> dict[str, list[Grant]]:
    references = local_references(template, "local")
    return {name: grants(role, references) for name, role in function_roles.items()}


def allowed(local: dict[str, list[Grant]], function: str, action: str, resource: str) -> bool:
    return deciding(local[function], action, resource)[0]


@pytest.mark.parametrize(
    ("function", "action", "resource", "expected"),
    [
        ("WebhookFunction", "dynamodb:GetItem", TABLE, True),
        ("WebhookFunction", "dynamodb:PutItem", TABLE, False),
        ("WebhookFunction", "sqs:SendMessage", QUEUE.format("MeetingQueue"), True),
        ("WebhookFunction", "sqs:SendMessage", QUEUE.format("MailQueue"), False),
        ("SchedulerFunction", "dynamodb:Query", f"{TABLE}/index/DueIndex", True),
        ("SchedulerFunction", "dynamodb:Query", "arn:aws:dynamodb:us-east-1:123456789012:table/kith-other", False),
        ("ApiFunction", "kms:Decrypt", KEY, True),
        ("MailerFunction", "kms:Decrypt", KEY, False),
        ("ActionsFunction", "secretsmanager:GetSecretValue", SECRET, True),
        # Consent states are signed with the keys that sign the emails' links.
        ("ApiFunction", "secretsmanager:GetSecretValue", SECRET, True),
        ("WebhookFunction", "secretsmanager:GetSecretValue", SECRET, False),
        # The console serves files: it may touch no data at all.
        ("ConsoleFunction", "dynamodb:GetItem", TABLE, False),
        ("ConsoleFunction", "secretsmanager:GetSecretValue", SECRET, False),
        ("ConsoleFunction", "kms:Decrypt", KEY, False),
        ("MailerFunction", "ses:SendEmail", SES.format("identity/kith@kith.local"), True),
        ("MailerFunction", "ses:SendEmail", SES.format("configuration-set/kith-local"), True),
        ("MailerFunction", "ses:SendEmail", SES.format("identity/someone@else.example"), False),
        ("MailerFunction", "ses:SendRawEmail", SES.format("identity/kith@kith.local"), False),
        # The SQS event source's poller policy is on the role too (AWS's managed policy, on every queue).
        ("MailerFunction", "sqs:ReceiveMessage", QUEUE.format("MailQueue"), True),
        ("SchedulerFunction", "sqs:ReceiveMessage", QUEUE.format("MailQueue"), False),
    ],
)
def test_a_role_allows_what_its_policies_name_and_nothing_else(
    local: dict[str, list[Grant]], function: str, action: str, resource: str, expected: bool
) -> None:
    assert allowed(local, function, action, resource) is expected


def test_the_queue_a_template_names_by_getatt_resolves_to_the_stages_queue(
    template: dict[str, Any], function_roles: dict[str, Role]
) -> None:
    # Given the scheduler's role resolved for the stage the CLI tests use
    cli = grants(function_roles["SchedulerFunction"], local_references(template, "cli"))
    # Then it may send to that stage's mail queue, not to the local stage's
    assert deciding(cli, "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:kith-cli-MailQueue")[0]
    assert not deciding(cli, "sqs:SendMessage", QUEUE.format("MailQueue"))[0]


def test_iam_wildcards_match_any_run_or_one_character_and_actions_ignore_case() -> None:
    assert matches("sqs:SendMessage*", "sqs:sendmessagebatch", ignore_case=True)
    assert matches("arn:aws:dynamodb:*:*:table/t/index/*", "arn:aws:dynamodb:us-east-1:1:table/t/index/i")
    assert not matches("arn:aws:dynamodb:*:*:table/t", "arn:aws:dynamodb:us-east-1:1:table/t/index/i")
    assert matches("secret:name-??????", "secret:name-Ab3dEf")
    assert not matches("secret:name-??????", "secret:name-Ab3dE")
    assert not matches("table/kith.local", "table/kithXlocal")
    assert not matches("Table/t", "table/t")


def test_an_explicit_deny_wins_over_an_allow() -> None:
    role = Role(
        "F",
        [
            ("open", False, [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]),
            ("closed", False, [{"Effect": "Deny", "Action": "dynamodb:DeleteItem", "Resource": TABLE}]),
        ],
    )
    role_grants = grants(role, {})

    assert deciding(role_grants, "dynamodb:GetItem", TABLE)[0]
    assert not deciding(role_grants, "dynamodb:DeleteItem", TABLE)[0]


def test_a_condition_the_check_cannot_evaluate_is_refused_not_ignored() -> None:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"Bool": {"x": "true"}}}

    with pytest.raises(UnknownPolicy):
        grants(Role("F", [("conditional", False, [statement])]), {})


def test_a_refused_call_is_reported_and_grants_no_call_used_are_listed(
    template: dict[str, Any], function_roles: dict[str, Role]
) -> None:
    # Given the webhook function read a connection, and tried to write one
    made = Counter(
        {
            Call("WebhookFunction", "local", "GetItem", "dynamodb:GetItem", TABLE): 3,
            Call("WebhookFunction", "local", "PutItem", "dynamodb:PutItem", TABLE): 1,
        }
    )
    # When the calls are reviewed
    result = review(template, function_roles, made, Counter())
    # Then the write is refused, the read is counted, and the queue it never sent to is listed as unused
    assert result.refused == Counter({Call("WebhookFunction", "local", "PutItem", "dynamodb:PutItem", TABLE): 1})
    assert result.used[("WebhookFunction", "dynamodb:GetItem")][:2] == (3, {"table/kith-{stage}"})
    unused = [(grant.action, grant.resource) for grant in result.unused["WebhookFunction"]]
    assert unused == [("sqs:SendMessage*", QUEUE.format("MeetingQueue"))]
    # And the platform's policies are named apart, never listed as unused
    assert "AWSLambdaBasicExecutionRole" in result.platform["WebhookFunction"]
    assert not any(grant.platform for grants_of in result.unused.values() for grant in grants_of)


def test_the_console_functions_role_holds_only_what_lambda_itself_needs(function_roles: dict[str, Role]) -> None:
    # Given the console's role as the SAM transform writes it
    policies = function_roles["ConsoleFunction"].policies
    # Then every policy on it is the platform's (logs, X-Ray): the function reads only its own files
    assert [label for label, platform, _ in policies] == ["AWSLambdaBasicExecutionRole", "AWSXrayWriteOnlyAccess"]
    assert all(platform for _, platform, _ in policies)
