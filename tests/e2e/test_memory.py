"""A long `make serve` session holds what it stores, not what each request passed through."""

from __future__ import annotations

import gc
import json
import urllib.request

import boto3
from kith_local.lambdas import RecentOutput
from moto.dynamodb.models.dynamo_type import Item

STORED = 40


def _items_alive() -> int:
    gc.collect()
    return sum(1 for thing in gc.get_objects() if type(thing) is Item)


def test_the_embedded_aws_keeps_no_copy_of_the_items_its_requests_read_or_write(endpoint: str) -> None:
    # Given moto's backends reset once, as they are between sessions, and a table of 40 items
    urllib.request.urlopen(urllib.request.Request(endpoint + "/moto-api/reset", method="POST"), timeout=10).close()
    dynamodb = boto3.session.Session().client("dynamodb", endpoint_url=endpoint)
    dynamodb.create_table(
        TableName="memory",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for n in range(STORED):
        dynamodb.put_item(TableName="memory", Item={"pk": {"S": "owner"}, "sk": {"S": f"c{n:03d}"}, "n": {"N": str(n)}})
    before = _items_alive()
    # When queries filter the whole partition, transactions write to the table and items are updated, many times
    for n in range(30):
        dynamodb.query(
            TableName="memory",
            KeyConditionExpression="pk = :pk",
            FilterExpression="n > :n",
            ExpressionAttributeValues={":pk": {"S": "owner"}, ":n": {"N": "5"}},
        )
        dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": "memory",
                        "Key": {"pk": {"S": "owner"}, "sk": {"S": f"c{n:03d}"}},
                        "UpdateExpression": "SET seen = :t",
                        "ExpressionAttributeValues": {":t": {"S": "yes"}},
                    }
                },
                {
                    "Update": {
                        "TableName": "memory",
                        "Key": {"pk": {"S": "owner"}, "sk": {"S": f"c{n + 1:03d}"}},
                        "UpdateExpression": "SET seen = :t",
                        "ExpressionAttributeValues": {":t": {"S": "yes"}},
                    }
                },
            ]
        )
    # Then the items alive are the table's own (each call used to leave a copy of what it read or wrote: 3,660 here)
    assert _items_alive() - before <= 5
    # And moto's dashboard still lists every item stored
    with urllib.request.urlopen(endpoint + "/moto-api/data.json", timeout=10) as answer:
        assert len(json.load(answer)["dynamodb"]["Item"]) == STORED


def test_the_metrics_the_local_functions_print_are_kept_to_the_latest() -> None:
    # Given the buffer the local functions print their metrics to, keeping 10 writes
    output = RecentOutput(writes=10)
    # When 1,000 metrics records are printed to it
    for n in range(1000):
        print(f'{{"record": {n}}}', file=output)
    # Then it holds the latest five records (a record is the line and its newline), not all of them
    assert output.getvalue().splitlines() == [f'{{"record": {n}}}' for n in range(995, 1000)]
