"""BCC Kith's resources: off without a MailDomain; SES stores, scans and hands over; the bucket keeps nothing long."""

from __future__ import annotations

from typing import Any

from kith_local.template import resources_of_type

INBOUND = {
    "InboundMailBucket",
    "InboundMailBucketPolicy",
    "InboundRuleSet",
    "InboundRule",
    "InboundFunctionSesPermission",
    "InboundDeadLetterQueue",
    "InboundFunction",
}
RULE_ARN = (
    "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:receipt-rule-set/kith-${Stage}-inbound"
    ":receipt-rule/kith-${Stage}-log"
)


def test_bcc_kith_is_off_unless_a_mail_domain_is_given(template: dict[str, Any]) -> None:
    assert template["Parameters"]["MailDomain"]["Default"] == ""
    assert template["Conditions"]["ReceivesMail"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "MailDomain"}, ""]}]}
    guarded = {name for name, body in template["Resources"].items() if body.get("Condition") == "ReceivesMail"}
    assert guarded == INBOUND
    assert {name for name, body in template["Outputs"].items() if body.get("Condition") == "ReceivesMail"} == {
        "InboundMxRecord",
        "InboundRuleSetName",
    }
    assert "inbound-smtp.${AWS::Region}.amazonaws.com" in template["Outputs"]["InboundMxRecord"]["Value"]["Fn::Sub"]


def test_the_bucket_is_private_encrypted_and_expires_what_is_left_after_a_day(template: dict[str, Any]) -> None:
    bucket = template["Resources"]["InboundMailBucket"]["Properties"]
    (encryption,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    (rule,) = bucket["LifecycleConfiguration"]["Rules"]
    assert (rule["Status"], rule["ExpirationInDays"]) == ("Enabled", 1)


def test_only_this_rule_of_this_account_may_store_mail_in_the_bucket(template: dict[str, Any]) -> None:
    policy = template["Resources"]["InboundMailBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "InboundMailBucket"}
    allow, deny = policy["PolicyDocument"]["Statement"]
    assert (allow["Effect"], allow["Principal"], allow["Action"]) == (
        "Allow",
        {"Service": "ses.amazonaws.com"},
        "s3:PutObject",
    )
    assert allow["Condition"]["StringEquals"] == {
        "aws:SourceAccount": {"Ref": "AWS::AccountId"},
        "aws:SourceArn": {"Fn::Sub": RULE_ARN},
    }
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_rule_scans_stores_then_hands_the_message_to_the_function(template: dict[str, Any]) -> None:
    (body,) = resources_of_type(template, "AWS::SES::ReceiptRule").values()
    rule = body["Properties"]["Rule"]
    assert body["Properties"]["RuleSetName"] == {"Ref": "InboundRuleSet"}
    assert set(body["DependsOn"]) == {"InboundMailBucketPolicy", "InboundFunctionSesPermission"}
    assert (rule["Name"], rule["Recipients"], rule["ScanEnabled"], rule["Enabled"]) == (
        {"Fn::Sub": "kith-${Stage}-log"},
        [{"Ref": "MailDomain"}],
        True,
        True,
    )
    store, hand_over = rule["Actions"]
    assert store == {"S3Action": {"BucketName": {"Ref": "InboundMailBucket"}, "ObjectKeyPrefix": "inbound/"}}
    assert hand_over == {
        "LambdaAction": {"FunctionArn": {"Fn::GetAtt": ["InboundFunction", "Arn"]}, "InvocationType": "Event"}
    }
    function = template["Resources"]["InboundFunction"]["Properties"]
    assert function["Environment"]["Variables"]["KITH_INBOUND_PREFIX"] == store["S3Action"]["ObjectKeyPrefix"]
    assert template["Resources"]["InboundRuleSet"]["Properties"]["RuleSetName"] == {"Fn::Sub": "kith-${Stage}-inbound"}


def test_ses_may_invoke_the_function_only_for_this_account(template: dict[str, Any]) -> None:
    permission = template["Resources"]["InboundFunctionSesPermission"]["Properties"]
    assert permission == {
        "Action": "lambda:InvokeFunction",
        "FunctionName": {"Ref": "InboundFunction"},
        "Principal": "ses.amazonaws.com",
        "SourceAccount": {"Ref": "AWS::AccountId"},
        "SourceArn": {"Fn::Sub": RULE_ARN},
    }


def test_the_function_reads_and_deletes_stored_mail_and_parks_what_fails_in_its_queue(template: dict[str, Any]) -> None:
    function = template["Resources"]["InboundFunction"]["Properties"]
    statements = {statement["Sid"]: statement for policy in function["Policies"] for statement in policy["Statement"]}
    assert statements["ReadAndDeleteStoredMessages"]["Action"] == ["s3:GetObject", "s3:DeleteObject"]
    assert statements["ReadAndDeleteStoredMessages"]["Resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:s3:::${InboundMailBucket}/inbound/*"
    }
    assert set(statements["FindTheOwnerAndRecordTheirMail"]["Action"]) == {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:BatchGetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    }
    on_failure = function["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
    assert on_failure == {"Type": "SQS", "Destination": {"Fn::GetAtt": ["InboundDeadLetterQueue", "Arn"]}}
    assert 0 <= function["EventInvokeConfig"]["MaximumRetryAttempts"] <= 2


def test_the_api_names_the_mail_domain_for_the_owners_address(template: dict[str, Any]) -> None:
    api = template["Resources"]["ApiFunction"]["Properties"]["Environment"]["Variables"]
    assert api["KITH_MAIL_DOMAIN"] == {"Ref": "MailDomain"}
