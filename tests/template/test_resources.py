"""The durable parts are configured as the product needs: the table, the queues and their consumers."""

from __future__ import annotations

from typing import Any

from kith_local.template import resources_of_type


def _table(template: dict[str, Any]) -> dict[str, Any]:
    ((_, table),) = resources_of_type(template, "AWS::DynamoDB::Table").items()
    return dict(table["Properties"])


def test_table_has_point_in_time_recovery_and_encryption(template: dict[str, Any]) -> None:
    table = _table(template)

    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["SSESpecification"]["SSEEnabled"] is True


def test_table_expires_items_by_expires_at(template: dict[str, Any]) -> None:
    assert _table(template)["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_table_has_the_due_index(template: dict[str, Any]) -> None:
    table = _table(template)
    indexes = {index["IndexName"]: index for index in table.get("GlobalSecondaryIndexes", [])}
    defined = {attribute["AttributeName"] for attribute in table["AttributeDefinitions"]}

    assert "DueIndex" in indexes
    key_schema = indexes["DueIndex"]["KeySchema"]
    assert [(key["AttributeName"], key["KeyType"]) for key in key_schema] == [("due_pk", "HASH"), ("due_sk", "RANGE")]
    assert {"due_pk", "due_sk"} <= defined


def test_every_consumed_queue_redrives_to_a_dead_letter_queue(template: dict[str, Any]) -> None:
    queues = resources_of_type(template, "AWS::SQS::Queue")
    consumed = {
        event["Properties"]["Queue"]["Fn::GetAtt"][0]
        for function in resources_of_type(template, "AWS::Serverless::Function").values()
        for event in function["Properties"].get("Events", {}).values()
        if event["Type"] == "SQS"
    }

    assert consumed == {"MeetingQueue", "MailQueue", "SesEventsQueue"}
    for name in consumed:
        redrive = queues[name]["Properties"].get("RedrivePolicy")
        assert redrive is not None, f"{name} has no RedrivePolicy"
        target, attribute = redrive["deadLetterTargetArn"]["Fn::GetAtt"]
        assert (target, attribute) == (name.replace("Queue", "DeadLetterQueue"), "Arn")
        assert "RedrivePolicy" not in queues[target].get("Properties", {})
        assert 1 <= int(redrive["maxReceiveCount"]) <= 10


def test_every_sqs_event_source_reports_batch_item_failures(template: dict[str, Any]) -> None:
    sources = {
        f"{name}.{event_name}": event["Properties"].get("FunctionResponseTypes")
        for name, function in resources_of_type(template, "AWS::Serverless::Function").items()
        for event_name, event in function["Properties"].get("Events", {}).items()
        if event["Type"] == "SQS"
    }

    assert sources == {
        "MeetingsFunction.Meetings": ["ReportBatchItemFailures"],
        "MailerFunction.Mail": ["ReportBatchItemFailures"],
        "SesEventsFunction.SesEvents": ["ReportBatchItemFailures"],
    }


def test_queues_stay_invisible_for_longer_than_their_consumer_runs(template: dict[str, Any]) -> None:
    queues = resources_of_type(template, "AWS::SQS::Queue")
    default_timeout = template.get("Globals", {}).get("Function", {}).get("Timeout", 3)
    for function in resources_of_type(template, "AWS::Serverless::Function").values():
        timeout = int(function["Properties"].get("Timeout", default_timeout))
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] == "SQS":
                queue = event["Properties"]["Queue"]["Fn::GetAtt"][0]
                assert int(queues[queue]["Properties"].get("VisibilityTimeout", 30)) >= timeout


def _ses_events_queue_policy(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    ((_, queue_policy),) = resources_of_type(template, "AWS::SQS::QueuePolicy").items()
    assert queue_policy["Properties"]["Queues"] == [{"Ref": "SesEventsQueue"}]
    return {
        statement["Principal"]["Service"]: statement
        for statement in queue_policy["Properties"]["PolicyDocument"]["Statement"]
    }


def _destinations(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each SES event destination of the configuration set, by the condition that switches it on."""
    destinations = resources_of_type(template, "AWS::SES::ConfigurationSetEventDestination").values()
    for destination in destinations:
        assert destination["Properties"]["ConfigurationSetName"] == {"Ref": "ConfigurationSet"}
        assert set(destination["Properties"]["EventDestination"]["MatchingEventTypes"]) == {"bounce", "complaint"}
    return {destination["Condition"]: destination["Properties"]["EventDestination"] for destination in destinations}


def test_the_route_of_ses_feedback_is_a_parameter_sns_by_default(template: dict[str, Any]) -> None:
    parameter = template["Parameters"]["SesEventsRoute"]
    assert (parameter["Default"], parameter["AllowedValues"]) == ("SNS", ["SNS", "EventBridge"])
    assert template["Conditions"]["SesEventsThroughSns"] == {"Fn::Equals": [{"Ref": "SesEventsRoute"}, "SNS"]}
    assert template["Conditions"]["SesEventsThroughEventBridge"] == {
        "Fn::Equals": [{"Ref": "SesEventsRoute"}, "EventBridge"]
    }
    # One destination per route, so no bounce arrives twice
    assert set(_destinations(template)) == {"SesEventsThroughSns", "SesEventsThroughEventBridge"}


def test_bounces_and_complaints_reach_the_ses_events_queue_in_an_sns_envelope(template: dict[str, Any]) -> None:
    ((_, subscription),) = resources_of_type(template, "AWS::SNS::Subscription").items()

    topic = _destinations(template)["SesEventsThroughSns"]["SnsDestination"]["TopicARN"]
    assert subscription["Properties"]["TopicArn"] == topic
    assert subscription["Properties"]["Endpoint"] == {"Fn::GetAtt": ["SesEventsQueue", "Arn"]}
    assert subscription["Properties"]["RawMessageDelivery"] is False
    statement = _ses_events_queue_policy(template)["sns.amazonaws.com"]
    assert statement["Action"] == "sqs:SendMessage"
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == topic


def test_the_topic_takes_the_configuration_set_and_the_sender_identitys_notifications(template: dict[str, Any]) -> None:
    ((_, topic_policy),) = resources_of_type(template, "AWS::SNS::TopicPolicy").items()
    (statement,) = topic_policy["Properties"]["PolicyDocument"]["Statement"]
    sources = statement["Condition"]["StringEquals"]["aws:SourceArn"]
    texts = [source["Fn::Sub"] if isinstance(source["Fn::Sub"], str) else source["Fn::Sub"][0] for source in sources]
    assert [text.rsplit(":", 1)[1] for text in texts] == [
        "configuration-set/${ConfigurationSet}",
        "identity/${SenderAddress}",
        "identity/${Domain}",
    ]


def test_bounces_and_complaints_reach_the_ses_events_queue_through_eventbridge(template: dict[str, Any]) -> None:
    destination = _destinations(template)["SesEventsThroughEventBridge"]
    bus = destination["EventBridgeDestination"]["EventBusArn"]["Fn::Sub"]
    assert bus.endswith(":event-bus/default")
    ((name, rule),) = resources_of_type(template, "AWS::Events::Rule").items()
    properties = rule["Properties"]
    assert "Condition" not in rule
    assert properties["EventBusName"] == "default"
    assert properties["EventPattern"] == {
        "source": ["aws.ses"],
        "detail-type": ["Email Bounced", "Email Complaint Received"],
        "detail": {"mail": {"tags": {"ses:configuration-set": [{"Ref": "ConfigurationSet"}]}}},
    }
    assert [target["Arn"] for target in properties["Targets"]] == [{"Fn::GetAtt": ["SesEventsQueue", "Arn"]}]
    statement = _ses_events_queue_policy(template)["events.amazonaws.com"]
    assert statement["Action"] == "sqs:SendMessage"
    assert statement["Resource"] == {"Fn::GetAtt": ["SesEventsQueue", "Arn"]}
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == {"Fn::GetAtt": [name, "Arn"]}


def test_the_ses_events_function_may_send_to_its_dead_letter_queue_and_nothing_more(template: dict[str, Any]) -> None:
    function = template["Resources"]["SesEventsFunction"]["Properties"]
    assert function["Environment"]["Variables"]["KITH_DEAD_LETTER_QUEUE_URL"] == {"Ref": "SesEventsDeadLetterQueue"}
    statements = [statement for policy in function["Policies"] for statement in policy["Statement"]]
    assert [(statement["Action"], statement["Resource"]) for statement in statements] == [
        ("dynamodb:PutItem", {"Fn::GetAtt": ["Table", "Arn"]}),
        ("sqs:SendMessage", {"Fn::GetAtt": ["SesEventsDeadLetterQueue", "Arn"]}),
    ]
