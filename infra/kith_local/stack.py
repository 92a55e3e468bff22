"""The stack of template.yaml, created on a local AWS endpoint (moto's server).

The table, its index and TTL, the queues and their redrive, the SNS topics and
their queue subscriptions, the EventBridge rules and their queue targets, the
SES configuration set with its event destinations, and the bucket SES stores
inbound mail in are read from the template itself, so the local shape and the
deployed shape cannot drift. Resources under a condition that does not hold
(BCC Kith without a MailDomain) are left out, their function too.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

import boto3

from kith_local.template import (
    FunctionSpec,
    evaluate_conditions,
    functions,
    load_template,
    resolve,
    resources_of_type,
)

LOCAL_PARAMETERS = {
    "Stage": "local",
    "SenderAddress": "kith@kith.local",
    "Architecture": "x86_64",
    "PublicBaseUrl": "",
    # The HTTP API's id, in the address functions fall back to; LocalKith points them at its own server.
    "HttpApi": "local",
    "DueShards": "4",
    # BCC Kith is on locally: kith_local.inbound_mail delivers messages as SES would.
    "MailDomain": "in.kith.local",
    "AWS::Region": "us-east-1",
    "AWS::Partition": "aws",
    "AWS::AccountId": "123456789012",
    "AWS::URLSuffix": "amazonaws.com",
}
# The console app client's id, which the development sign-in accepts in place of Cognito's.
LOCAL_CONSOLE_CLIENT_ID = "kith-local-console"
# What the user pool's references return on AWS; locally no user pool exists (the development sign-in stands in).
LOCAL_SIGN_IN = {
    "UserPool": "us-east-1_kithlocal",
    "UserPoolDomain": "kith-local-123456789012",
    "ConsoleClient": LOCAL_CONSOLE_CLIENT_ID,
}


@dataclass
class LocalStack:
    template: dict[str, Any]
    references: dict[str, Any]
    functions: dict[str, FunctionSpec]
    queue_urls: dict[str, str] = field(default_factory=dict)
    # Settings the local stack adds to every function (provider endpoints pointing at a fake server, say).
    overrides: dict[str, str] = field(default_factory=dict)

    def environment(self, function: str) -> dict[str, str]:
        """The function's environment, as Lambda would hand it over, with local values."""
        resolved = resolve(self.functions[function].environment, self.references)
        return {**{name: str(value) for name, value in resolved.items()}, **self.overrides}

    @property
    def table_name(self) -> str:
        return str(self.references["Table"])

    def queue_url(self, logical_id: str) -> str:
        return self.queue_urls[logical_id]


def table_definition(template: dict[str, Any], table_name: str) -> dict[str, Any]:
    """create_table arguments taken from the template's table resource."""
    ((_, table),) = resources_of_type(template, "AWS::DynamoDB::Table").items()
    properties = table["Properties"]
    definition: dict[str, Any] = {
        "TableName": table_name,
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "KeySchema": properties["KeySchema"],
        "BillingMode": properties["BillingMode"],
    }
    if "GlobalSecondaryIndexes" in properties:
        definition["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
    return definition


def create_table(client: Any, template: dict[str, Any], table_name: str) -> None:
    client.create_table(**table_definition(template, table_name))
    ((_, table),) = resources_of_type(template, "AWS::DynamoDB::Table").items()
    ttl = table["Properties"].get("TimeToLiveSpecification")
    if ttl:
        client.update_time_to_live(TableName=table_name, TimeToLiveSpecification=ttl)


def table_name_for(stage: str) -> str:
    return f"kith-{stage}"


def queue_name_for(stage: str, logical_id: str) -> str:
    return f"kith-{stage}-{logical_id}"


def key_alias_for(stage: str, logical_id: str) -> str:
    return f"alias/kith-{stage}-{logical_id}"


def _parameters(template: dict[str, Any], stage: str) -> dict[str, Any]:
    references: dict[str, Any] = {**LOCAL_PARAMETERS, "Stage": stage}
    for name, body in template.get("Parameters", {}).items():
        references.setdefault(name, body.get("Default", ""))
    evaluate_conditions(template, references)
    references.update(LOCAL_SIGN_IN)
    return references


def secret_name_for(stage: str, logical_id: str) -> str:
    return f"kith/{stage}/{logical_id}"


def bucket_name_for(stage: str, logical_id: str) -> str:
    return f"kith-{stage}-{logical_id.lower()}"


def _know_buckets(template: dict[str, Any], references: dict[str, Any], stage: str) -> list[str]:
    """The buckets of this stack, by the names the local stack gives them (their Ref and Arn known)."""
    names = []
    for name, body in resources_of_type(template, "AWS::S3::Bucket").items():
        if _in_this_stack(body, references):
            references[name] = bucket_name_for(stage, name)
            references[f"{name}.Arn"] = f"arn:aws:s3:::{references[name]}"
            names.append(references[name])
    return names


def stack_functions(template: dict[str, Any], references: dict[str, Any]) -> dict[str, FunctionSpec]:
    """The functions of this stack: those whose condition holds."""
    resources = template["Resources"]
    return {name: spec for name, spec in functions(template).items() if _in_this_stack(resources[name], references)}


def generated_secret(properties: dict[str, Any]) -> str:
    """What CloudFormation's GenerateSecretString would store: the template JSON plus one random value."""
    generate = properties["GenerateSecretString"]
    value = json.loads(generate.get("SecretStringTemplate", "{}"))
    value[generate["GenerateStringKey"]] = secrets.token_urlsafe(generate.get("PasswordLength", 32))[
        : generate.get("PasswordLength", 32)
    ]
    return json.dumps(value)


def _know_queue(sqs: Any, references: dict[str, Any], queue_urls: dict[str, str], name: str, url: str) -> None:
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue_urls[name] = url
    references.update({name: url, f"{name}.Arn": arn, f"{name}.QueueName": arn.rsplit(":", 1)[1]})


def _know_configuration_sets(template: dict[str, Any], references: dict[str, Any]) -> list[str]:
    names = []
    for name, body in resources_of_type(template, "AWS::SES::ConfigurationSet").items():
        references[name] = str(resolve(body["Properties"]["Name"], references))
        names.append(references[name])
    return names


def _know_topics(session: boto3.session.Session, template: dict[str, Any], references: dict[str, Any]) -> None:
    """Each topic by the name the template gives it (creating a topic that exists only returns its ARN)."""
    sns = session.client("sns")
    for name, body in resources_of_type(template, "AWS::SNS::Topic").items():
        topic_name = resolve(body.get("Properties", {}).get("TopicName", f"kith-${{Stage}}-{name}"), references)
        references[name] = sns.create_topic(Name=str(topic_name))["TopicArn"]


def _in_this_stack(body: dict[str, Any], references: dict[str, Any]) -> bool:
    return "Condition" not in body or bool(references[f"Condition:{body['Condition']}"])


def _create_rules(session: boto3.session.Session, template: dict[str, Any], references: dict[str, Any]) -> None:
    """EventBridge rules with their targets; each rule's ARN becomes known for the queue policies naming it."""
    events = session.client("events")
    for name, body in resources_of_type(template, "AWS::Events::Rule").items():
        properties = resolve(body["Properties"], references)
        bus = properties.get("EventBusName", "default")
        references[f"{name}.Arn"] = events.put_rule(
            Name=properties["Name"],
            EventBusName=bus,
            EventPattern=json.dumps(properties["EventPattern"]),
            State=properties.get("State", "ENABLED"),
        )["RuleArn"]
        events.put_targets(
            Rule=properties["Name"],
            EventBusName=bus,
            Targets=[{"Id": target["Id"], "Arn": target["Arn"]} for target in properties["Targets"]],
        )


def _create_topics(session: boto3.session.Session, template: dict[str, Any], references: dict[str, Any]) -> None:
    """Topics and rules, their queue targets (with the queues' policies) and the SES event destinations feeding them."""
    _know_topics(session, template, references)
    _create_rules(session, template, references)
    sns = session.client("sns")
    sqs = session.client("sqs")
    for body in resources_of_type(template, "AWS::SQS::QueuePolicy").values():
        properties = resolve(body["Properties"], references)
        for url in properties["Queues"]:
            sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(properties["PolicyDocument"])})
    for body in resources_of_type(template, "AWS::SNS::Subscription").values():
        properties = resolve(body["Properties"], references)
        sns.subscribe(
            TopicArn=properties["TopicArn"],
            Protocol=properties["Protocol"],
            Endpoint=properties["Endpoint"],
            Attributes={"RawMessageDelivery": str(properties.get("RawMessageDelivery", False)).lower()},
        )
    ses = session.client("ses")
    for body in resources_of_type(template, "AWS::SES::ConfigurationSetEventDestination").values():
        properties = resolve(body["Properties"], references)
        destination = properties["EventDestination"]
        # moto keeps SNS destinations only; it publishes no SES events to either kind.
        if not _in_this_stack(body, references) or "SnsDestination" not in destination:
            continue
        ses.create_configuration_set_event_destination(
            ConfigurationSetName=properties["ConfigurationSetName"],
            EventDestination={
                "Name": destination["Name"],
                "Enabled": destination["Enabled"],
                "MatchingEventTypes": destination["MatchingEventTypes"],
                "SNSDestination": {"TopicARN": destination["SnsDestination"]["TopicARN"]},
            },
        )


def create_stack(session: boto3.session.Session | None = None, stage: str = "local") -> LocalStack:
    session = session or boto3.session.Session()
    template = load_template()
    references = _parameters(template, stage)
    references["Table"] = table_name_for(stage)
    create_table(session.client("dynamodb"), template, references["Table"])

    sqs = session.client("sqs")
    queues = resources_of_type(template, "AWS::SQS::Queue")
    queue_urls: dict[str, str] = {}
    # Dead-letter queues first: the others name them in their redrive policy.
    for name in sorted(queues, key=lambda queue: "RedrivePolicy" in queues[queue].get("Properties", {})):
        properties = queues[name].get("Properties", {})
        attributes = {
            key: str(properties[key]) for key in ("VisibilityTimeout", "MessageRetentionPeriod") if key in properties
        }
        if "RedrivePolicy" in properties:
            attributes["RedrivePolicy"] = json.dumps(resolve(properties["RedrivePolicy"], references))
        url = sqs.create_queue(QueueName=queue_name_for(stage, name), Attributes=attributes)["QueueUrl"]
        _know_queue(sqs, references, queue_urls, name, url)

    kms = session.client("kms")
    for name in resources_of_type(template, "AWS::KMS::Key"):
        key_id = kms.create_key(Description=f"kith {stage} {name}")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=key_alias_for(stage, name), TargetKeyId=key_id)
        # Functions name the key by its alias locally: stable across runs, and KMS accepts it anywhere a key id goes.
        references[name] = key_alias_for(stage, name)

    secretsmanager = session.client("secretsmanager")
    for name, body in resources_of_type(template, "AWS::SecretsManager::Secret").items():
        secretsmanager.create_secret(
            Name=secret_name_for(stage, name), SecretString=generated_secret(body["Properties"])
        )
        # Named, not by ARN (whose suffix is random): stable across runs, and accepted anywhere a secret id goes.
        references[name] = secret_name_for(stage, name)

    ses = session.client("sesv2")
    for set_name in _know_configuration_sets(template, references):
        ses.create_configuration_set(ConfigurationSetName=set_name)
    session.client("ses").verify_email_identity(EmailAddress=str(references["SenderAddress"]))
    _create_topics(session, template, references)
    s3 = session.client("s3")
    for bucket in _know_buckets(template, references, stage):
        s3.create_bucket(Bucket=bucket)

    return LocalStack(
        template=template, references=references, functions=stack_functions(template, references), queue_urls=queue_urls
    )


def stack_exists(session: boto3.session.Session, stage: str = "local") -> bool:
    return table_name_for(stage) in session.client("dynamodb").list_tables()["TableNames"]


def open_stack(session: boto3.session.Session | None = None, stage: str = "local") -> LocalStack:
    """The stack on an endpoint that may already hold it (a running `kith-local serve`); created if absent."""
    session = session or boto3.session.Session()
    if not stack_exists(session, stage):
        return create_stack(session, stage=stage)
    template = load_template()
    references = _parameters(template, stage)
    references["Table"] = table_name_for(stage)
    sqs = session.client("sqs")
    queue_urls: dict[str, str] = {}
    for name in resources_of_type(template, "AWS::SQS::Queue"):
        _know_queue(
            sqs, references, queue_urls, name, sqs.get_queue_url(QueueName=queue_name_for(stage, name))["QueueUrl"]
        )
    _know_configuration_sets(template, references)
    _know_topics(session, template, references)
    for name in resources_of_type(template, "AWS::KMS::Key"):
        references[name] = key_alias_for(stage, name)
    for name in resources_of_type(template, "AWS::SecretsManager::Secret"):
        references[name] = secret_name_for(stage, name)
    _know_buckets(template, references, stage)
    return LocalStack(
        template=template, references=references, functions=stack_functions(template, references), queue_urls=queue_urls
    )
