"""Each function's IAM role as the SAM transform writes it, resolved to the local stack's names.

template.yaml goes through aws-sam-translator (the transform CloudFormation runs), so the policy
templates (DynamoDBCrudPolicy, SQSSendMessagePolicy, ...) are expanded exactly as deployed. The
Ref, Fn::GetAtt and Fn::Sub left in each statement are resolved per stage to what they return on
AWS, written with the names the local stack gives (kith_local.stack):

- a table is `kith-<stage>`, a queue `kith-<stage>-<LogicalId>` with its ARN and URL;
- a secret's Ref is its ARN on AWS, whose last six characters are random: locally the secret is
  named `kith/<stage>/<LogicalId>`, so the ARN is written with `??????` (six of any character);
- a key's Ref is its key id on AWS; the local stack hands functions the key's alias instead
  (`alias/kith-<stage>-<LogicalId>`), so a KMS policy template's resource reads
  `key/alias/kith-<stage>-TokenKey`. The recorder names the key a call used the same way: KMS
  resolves an alias to its key before IAM looks, and a Decrypt's key is the one KMS answers with,
  whose alias the recorder looks up. Both sides name the one key by the one alias.

The AWS managed policies SAM attaches (logs, X-Ray, and the SQS poller for an SQS event source)
are written out below: the platform's permissions, used by Lambda itself, not by the code. So is
the policy SAM writes for an asynchronous invocation's on-failure destination (the inbound
function's queue): Lambda sends there, not the function.

A bucket's Ref is its name, `kith-<stage>-<logicalid>` locally (kith_local.stack), its Arn
`arn:aws:s3:::<name>`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from kith_local.stack import (
    LOCAL_PARAMETERS,
    bucket_name_for,
    key_alias_for,
    queue_name_for,
    secret_name_for,
    table_name_for,
)
from kith_local.template import evaluate_conditions, resources_of_type
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

REGION = LOCAL_PARAMETERS["AWS::Region"]
ACCOUNT = LOCAL_PARAMETERS["AWS::AccountId"]
_LOGS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
# The documents of the AWS managed policies SAM attaches to a function's role.
PLATFORM_POLICIES: dict[str, list[str]] = {
    "AWSLambdaBasicExecutionRole": _LOGS,
    "AWSXrayWriteOnlyAccess": [
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "xray:GetSamplingStatisticSummaries",
    ],
    "AWSLambdaSQSQueueExecutionRole": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", *_LOGS],
}
_SUB_NAME = re.compile(r"\$\{([^}!][^}]*)\}")


class UnknownPolicy(Exception):
    """The role holds something this check cannot evaluate: a managed policy it does not know, a condition."""


@dataclass(frozen=True)
class Grant:
    """One action pattern on one resource pattern, from one statement of a function's role."""

    function: str
    policy: str
    action: str
    resource: str
    allow: bool
    platform: bool
    # Which statement, action and resource of which policy: the same permission in every stage.
    position: tuple[int, int, int, int]


@dataclass
class Role:
    function: str
    # (label, platform, statements) per policy, in the role's order; statements still hold intrinsics.
    policies: list[tuple[str, bool, list[dict[str, Any]]]]


def translated(template: dict[str, Any]) -> dict[str, Any]:
    """template.yaml after the SAM transform, its code at S3 locations as `sam package` would leave it."""
    document = copy.deepcopy(template)
    for body in document["Resources"].values():
        properties = body.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if key in properties:
                properties[key] = f"s3://kith-local/{key.lower()}.zip"
    parameters = {name: LOCAL_PARAMETERS[name] for name in document.get("Parameters", {}) if name in LOCAL_PARAMETERS}
    parameters.update({name: value for name, value in LOCAL_PARAMETERS.items() if name.startswith("AWS::")})
    translator = Translator({}, Parser(), boto_session=boto3.session.Session(region_name=REGION))
    result: dict[str, Any] = translator.translate(document, parameter_values=parameters)
    return result


def roles(template: dict[str, Any]) -> dict[str, Role]:
    """Each function's role, its policies labelled by what template.yaml wrote (a policy template's name)."""
    transformed = translated(template)
    found: dict[str, Role] = {}
    for name, body in resources_of_type(template, "AWS::Serverless::Function").items():
        role_id = transformed["Resources"][name]["Properties"]["Role"]["Fn::GetAtt"][0]
        properties = transformed["Resources"][role_id]["Properties"]
        written = body["Properties"].get("Policies", [])
        written = written if isinstance(written, list) else [written]
        policies: list[tuple[str, bool, list[dict[str, Any]]]] = []
        for policy in properties.get("Policies", []):
            statements = _listed(policy["PolicyDocument"]["Statement"])
            index = policy["PolicyName"].removeprefix(f"{role_id}Policy")
            if index.isdigit():
                policies.append((_label(written[int(index)]), False, statements))
            else:
                # Written by SAM for Lambda itself: an asynchronous invocation's on-failure destination.
                policies.append((policy["PolicyName"], True, statements))
        for arn in properties.get("ManagedPolicyArns", []):
            managed = str(arn).rsplit("/", 1)[-1]
            if managed not in PLATFORM_POLICIES:
                raise UnknownPolicy(f"{name}: managed policy {arn} is not written out in PLATFORM_POLICIES")
            statement = {"Effect": "Allow", "Action": PLATFORM_POLICIES[managed], "Resource": "*"}
            policies.append((managed, True, [statement]))
        found[name] = Role(name, policies)
    return found


def _label(policy: Any) -> str:
    if isinstance(policy, str):
        return policy
    return "Statement" if "Statement" in policy else str(next(iter(policy)))


def local_references(template: dict[str, Any], stage: str) -> dict[str, Any]:
    """What each Ref and Fn::GetAtt of the template returns on AWS, with the local stack's names for `stage`."""
    parameters = template.get("Parameters", {})
    references: dict[str, Any] = {name: body.get("Default", "") for name, body in parameters.items()}
    references.update({**LOCAL_PARAMETERS, "Stage": stage})
    evaluate_conditions(template, references)
    arn = f"arn:aws:{{}}:{REGION}:{ACCOUNT}:{{}}"
    for name, body in template["Resources"].items():
        kind = body["Type"]
        if kind == "AWS::DynamoDB::Table":
            references[name] = table_name_for(stage)
            references[f"{name}.Arn"] = arn.format("dynamodb", f"table/{references[name]}")
        elif kind == "AWS::SQS::Queue":
            queue = queue_name_for(stage, name)
            references[name] = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{queue}"
            references[f"{name}.QueueName"] = queue
            references[f"{name}.Arn"] = arn.format("sqs", queue)
        elif kind == "AWS::KMS::Key":
            references[name] = key_alias_for(stage, name)
            references[f"{name}.Arn"] = arn.format("kms", f"key/{references[name]}")
        elif kind == "AWS::SecretsManager::Secret":
            references[name] = arn.format("secretsmanager", f"secret:{secret_name_for(stage, name)}-??????")
        elif kind == "AWS::SES::ConfigurationSet":
            references[name] = resolve(body["Properties"]["Name"], references)
        elif kind == "AWS::SNS::Topic":
            references[name] = arn.format("sns", resolve(body["Properties"]["TopicName"], references))
        elif kind == "AWS::S3::Bucket":
            references[name] = bucket_name_for(stage, name)
            references[f"{name}.Arn"] = f"arn:aws:s3:::{references[name]}"
    return references


def resolve(value: Any, references: dict[str, Any]) -> Any:
    """Ref, Fn::GetAtt, Fn::Sub (both forms), Fn::Select, Fn::Split, Fn::Join and Fn::If, against known values."""
    if isinstance(value, list):
        return [resolve(item, references) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) != 1 or not (next(iter(value)) == "Ref" or next(iter(value)).startswith("Fn::")):
        return {key: resolve(item, references) for key, item in value.items()}
    ((kind, argument),) = value.items()
    if kind not in _INTRINSICS:
        raise KeyError(f"the check does not resolve {kind}")
    return _INTRINSICS[kind](argument, references)


def _reference(argument: Any, references: dict[str, Any]) -> Any:
    key = argument if isinstance(argument, str) else ".".join(argument)
    if key not in references:
        raise KeyError(f"no local value for {'Ref' if isinstance(argument, str) else 'Fn::GetAtt'} {key}")
    return references[key]


def _sub(argument: Any, references: dict[str, Any]) -> str:
    text, variables = (argument, {}) if isinstance(argument, str) else argument
    known = {**references, **resolve(variables, references)}

    def substitute(match: re.Match[str]) -> str:
        if match[1] not in known:
            raise KeyError(f"no local value for ${{{match[1]}}}")
        return str(known[match[1]])

    return _SUB_NAME.sub(substitute, text)


def _select(argument: Any, references: dict[str, Any]) -> Any:
    index, items = resolve(argument, references)
    return items[int(index)]


def _split(argument: Any, references: dict[str, Any]) -> list[str]:
    separator, text = resolve(argument, references)
    return list(text.split(separator))


def _join(argument: Any, references: dict[str, Any]) -> str:
    separator, items = resolve(argument, references)
    return str(separator).join(str(item) for item in items)


def _if(argument: Any, references: dict[str, Any]) -> Any:
    condition, when_true, when_false = argument
    return resolve(when_true if references[f"Condition:{condition}"] else when_false, references)


_INTRINSICS: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "Ref": _reference,
    "Fn::GetAtt": _reference,
    "Fn::Sub": _sub,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::Join": _join,
    "Fn::If": _if,
}


def grants(role: Role, references: dict[str, Any]) -> list[Grant]:
    """Every (action, resource) pattern the role names, resolved for one stage."""
    found: list[Grant] = []
    for policy_index, (label, platform, statements) in enumerate(role.policies):
        for statement_index, statement in enumerate(statements):
            unsupported = {"NotAction", "NotResource", "Condition"} & set(statement)
            if unsupported:
                raise UnknownPolicy(f"{role.function} {label}: {sorted(unsupported)} is not evaluated by this check")
            actions, resources = (_listed(statement[key]) for key in ("Action", "Resource"))
            for action_index, action in enumerate(actions):
                for resource_index, resource in enumerate(resources):
                    found.append(
                        Grant(
                            function=role.function,
                            policy=f"Statement {statement['Sid']}" if "Sid" in statement else label,
                            action=str(action),
                            resource=str(resolve(resource, references)),
                            allow=statement["Effect"] == "Allow",
                            platform=platform,
                            position=(policy_index, statement_index, action_index, resource_index),
                        )
                    )
    return found


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's wildcards: * is any run of characters, ? any one character; nothing else is special."""
    regex = "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern)
    return re.fullmatch(regex, value, re.DOTALL | (re.IGNORECASE if ignore_case else 0)) is not None


def deciding(role_grants: list[Grant], action: str, resource: str) -> tuple[bool, list[Grant]]:
    """Whether the role allows `action` on `resource` (an explicit Deny wins), and the Allow grants that match.

    A call whose resource could not be told ("") is matched on its action alone.
    """
    matching = [
        grant
        for grant in role_grants
        if matches(grant.action, action, ignore_case=True) and (not resource or matches(grant.resource, resource))
    ]
    allowing = [grant for grant in matching if grant.allow]
    return bool(allowing) and all(grant.allow for grant in matching), allowing
