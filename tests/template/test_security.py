"""No IAM statement grants a wildcard action on a data service; SAM policy templates are allowed by name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

DATA_SERVICES = {"dynamodb", "sqs", "ses", "s3"}
# SAM policy templates reviewed for this stack: each grants named actions on one named resource.
ALLOWED_POLICY_TEMPLATES = {
    "DynamoDBReadPolicy",
    "DynamoDBCrudPolicy",
    "SQSSendMessagePolicy",
    "SQSPollerPolicy",
    "KMSDecryptPolicy",
    "KMSEncryptPolicy",
    "AWSSecretsManagerGetSecretValuePolicy",
}


def _policies(template: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for name, body in template.get("Resources", {}).items():
        properties = body.get("Properties", {})
        if body.get("Type") == "AWS::Serverless::Function":
            policies = properties.get("Policies", [])
            for policy in policies if isinstance(policies, list) else [policies]:
                yield name, policy
        elif body.get("Type") in {"AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"}:
            for policy in properties.get("Policies", []):
                yield name, policy.get("PolicyDocument", {})
            if "PolicyDocument" in properties:
                yield name, properties["PolicyDocument"]


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    statements = document.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _violations(template: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for resource, policy in _policies(template):
        if isinstance(policy, str):
            found.append(f"{resource}: managed policy {policy} is not reviewed")
        elif "Statement" in policy:
            for statement in _statements(policy):
                actions = statement.get("Action", [])
                for action in actions if isinstance(actions, list) else [actions]:
                    service, _, verb = str(action).partition(":")
                    if action == "*" or (service.lower() in DATA_SERVICES and verb.endswith("*")):
                        found.append(f"{resource}: {statement.get('Effect')} {action}")
        else:
            found.extend(
                f"{resource}: policy template {name} is not reviewed"
                for name in policy
                if name not in ALLOWED_POLICY_TEMPLATES
            )
    return found


def test_no_wildcard_actions_on_data_services(template: dict[str, Any]) -> None:
    assert _violations(template) == []


def test_the_check_finds_wildcards_and_unreviewed_policies(template: dict[str, Any]) -> None:
    function = {
        "Type": "AWS::Serverless::Function",
        "Properties": {
            "Policies": [
                {"Statement": [{"Effect": "Allow", "Action": ["dynamodb:*", "sqs:Send*"], "Resource": "*"}]},
                {"Statement": {"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"}},
                {"S3FullAccessPolicy": {"BucketName": "b"}},
                "AmazonSQSFullAccess",
            ]
        },
    }

    violations = _violations({"Resources": {"Loose": function}})

    assert violations == [
        "Loose: Allow dynamodb:*",
        "Loose: Allow sqs:Send*",
        "Loose: policy template S3FullAccessPolicy is not reviewed",
        "Loose: managed policy AmazonSQSFullAccess is not reviewed",
    ]
