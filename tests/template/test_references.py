"""Every Ref, Fn::GetAtt and Fn::Sub name in template.yaml points at something the template defines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

PSEUDO_PARAMETERS = {
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
}
# Return values of the resource types template.yaml uses; a type missing here is only checked for existence.
ATTRIBUTES = {
    "AWS::SQS::Queue": {"Arn", "QueueName", "QueueUrl"},
    "AWS::DynamoDB::Table": {"Arn", "StreamArn"},
    "AWS::Cognito::UserPool": {"Arn", "ProviderName", "ProviderURL", "UserPoolId"},
    "AWS::Cognito::UserPoolClient": {"ClientId", "ClientSecret", "Name"},
    "AWS::Serverless::Function": {"Arn"},
    "AWS::Serverless::LayerVersion": set(),
    "AWS::ApiGatewayV2::Api": {"ApiEndpoint", "ApiId"},
    "AWS::ApiGatewayV2::Authorizer": {"AuthorizerId"},
    "AWS::ApiGatewayV2::Integration": {"IntegrationId"},
    "AWS::ApiGatewayV2::Route": {"RouteId"},
    "AWS::Cognito::UserPoolDomain": {"CloudFrontDistribution"},
    "AWS::SES::ConfigurationSet": set(),
    "AWS::SNS::Topic": {"TopicArn", "TopicName"},
    "AWS::Events::Rule": {"Arn"},
}
_SUB_NAME = re.compile(r"\$\{([^}!][^}]*)\}")


def _walk(node: Any, where: str = "template") -> Iterator[tuple[str, str, Any]]:
    """(where, key, value) for every mapping entry in the document, depth first."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield where, key, value
            yield from _walk(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, f"{where}[{index}]")


def _problem(template: dict[str, Any], name: str, attribute: str | None, local: set[str]) -> str | None:
    resources = template.get("Resources", {})
    if attribute is None:
        if name in PSEUDO_PARAMETERS or name in template.get("Parameters", {}) or name in resources or name in local:
            return None
        return f"{name} is not a parameter, a resource or a pseudo parameter"
    if name not in resources:
        return f"{name}.{attribute}: {name} is not a resource"
    kind = resources[name].get("Type")
    if kind in ATTRIBUTES and attribute not in ATTRIBUTES[kind]:
        return f"{name}.{attribute}: {kind} has no attribute {attribute}"
    return None


def _targets(kind: str, argument: Any) -> list[tuple[str, str | None, set[str]]]:
    """(name, attribute, names the intrinsic defines itself) for each thing one intrinsic refers to."""
    if kind == "Ref":
        return [(str(argument), None, set())]
    if kind == "Fn::GetAtt":
        name, attribute = argument if isinstance(argument, list) else str(argument).split(".", 1)
        return [(str(name), str(attribute), set())]
    if kind == "Fn::Sub":
        text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])
        found: list[tuple[str, str | None, set[str]]] = []
        for reference in _SUB_NAME.findall(text):
            name, _, attribute = reference.partition(".")
            found.append((name, attribute or None, set(variables)))
        return found
    return []


def _problems(template: dict[str, Any]) -> list[str]:
    return [
        f"{where}: {problem}"
        for where, kind, argument in _walk(template)
        for name, attribute, local in _targets(kind, argument)
        if (problem := _problem(template, name, attribute, local))
    ]


def test_every_reference_resolves(template: dict[str, Any]) -> None:
    assert _problems(template) == []


def test_the_check_finds_a_dangling_reference(template: dict[str, Any]) -> None:
    broken = {
        **template,
        "Outputs": {
            "Dangling": {"Value": {"Ref": "NoSuchQueue"}},
            "BadAttribute": {"Value": {"Fn::GetAtt": ["MailQueue", "Nope"]}},
            "BadSub": {"Value": {"Fn::Sub": "arn:${AWS::Partition}:sqs:${NoSuchRegion}:${!Literal}"}},
        },
    }

    problems = _problems(broken)

    assert problems == [
        "template.Outputs.Dangling.Value: NoSuchQueue is not a parameter, a resource or a pseudo parameter",
        "template.Outputs.BadAttribute.Value: MailQueue.Nope: AWS::SQS::Queue has no attribute Nope",
        "template.Outputs.BadSub.Value: NoSuchRegion is not a parameter, a resource or a pseudo parameter",
    ]


def test_every_condition_used_is_defined(template: dict[str, Any]) -> None:
    used = {
        str(argument[0]) if kind == "Fn::If" else str(argument)
        for _, kind, argument in _walk(template)
        # A resource's or output's Condition names one; an IAM statement's Condition is a mapping, not a name.
        if kind == "Fn::If" or (kind == "Condition" and isinstance(argument, str))
    }

    assert used <= set(template.get("Conditions", {}))
