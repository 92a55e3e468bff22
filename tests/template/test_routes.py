"""The HTTP API's routes, its JWT authorizer and who may invoke each function, declared as API Gateway resources;
and, once the SAM transform has run, a template CloudFormation can order (no resource depends on itself)."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from kith_local.template import REPOSITORY, functions, resources_of_type

from tests.privilege.roles import translated

# (route key, behind the JWT authorizer, function)
ROUTES = {
    ("ANY /v1/{proxy+}", True, "ApiFunction"),
    ("GET /oauth/{provider}/callback", False, "ApiFunction"),
    ("POST /webhooks/{provider}/{connection_id}", False, "WebhookFunction"),
    ("GET /a/{token}", False, "ActionsFunction"),
    ("POST /a/{token}", False, "ActionsFunction"),
    ("GET /", False, "ConsoleFunction"),
    ("GET /console", False, "ConsoleFunction"),
    ("GET /console/{proxy+}", False, "ConsoleFunction"),
}
_SUB_NAME = re.compile(r"\$\{([^}!][^}]*)\}")


def _routes(template: dict[str, Any]) -> set[tuple[str, bool, str]]:
    integrations = resources_of_type(template, "AWS::ApiGatewayV2::Integration")
    found = set()
    for route in resources_of_type(template, "AWS::ApiGatewayV2::Route").values():
        properties = route["Properties"]
        assert properties["ApiId"] == {"Ref": "HttpApi"}
        integration = properties["Target"]["Fn::Sub"].removeprefix("integrations/${").removesuffix("}")
        function = integrations[integration]["Properties"]["IntegrationUri"]["Fn::GetAtt"][0]
        jwt = properties["AuthorizationType"] == "JWT"
        assert properties.get("AuthorizerId") == ({"Ref": "OwnerJwtAuthorizer"} if jwt else None)
        found.add((properties["RouteKey"], jwt, function))
    return found


def test_every_route_reaches_its_function_and_only_the_owners_api_needs_the_jwt(template: dict[str, Any]) -> None:
    assert _routes(template) == ROUTES


def test_the_local_stack_routes_what_the_template_declares(template: dict[str, Any]) -> None:
    local = {
        (f"{route.method} {route.path}", route.authorized, route.function)
        for spec in functions(template).values()
        for route in spec.routes
    }

    assert local == ROUTES


def test_no_route_is_a_sam_event(template: dict[str, Any]) -> None:
    # SAM writes HttpApi events into an OpenAPI body, beside which API Gateway drops the routes declared
    # as resources when the stack is updated (aws/serverless-application-model#1971): one way only.
    events = {
        f"{name}.{event_name}"
        for name, function in resources_of_type(template, "AWS::Serverless::Function").items()
        for event_name, event in function["Properties"].get("Events", {}).items()
        if event["Type"] in {"HttpApi", "Api"}
    }

    assert events == set()
    assert resources_of_type(template, "AWS::Serverless::HttpApi") == {}
    api = template["Resources"]["HttpApi"]
    assert api["Type"] == "AWS::ApiGatewayV2::Api"
    assert api["Properties"]["ProtocolType"] == "HTTP"
    assert "Body" not in api["Properties"] and "BodyS3Location" not in api["Properties"]
    ((_, stage),) = resources_of_type(template, "AWS::ApiGatewayV2::Stage").items()
    assert stage["Properties"] == {"ApiId": {"Ref": "HttpApi"}, "StageName": "$default", "AutoDeploy": True}


def test_the_authorizer_reads_the_bearer_token(template: dict[str, Any]) -> None:
    authorizer = template["Resources"]["OwnerJwtAuthorizer"]["Properties"]

    assert authorizer["ApiId"] == {"Ref": "HttpApi"}
    assert authorizer["AuthorizerType"] == "JWT"
    assert authorizer["IdentitySource"] == ["$request.header.Authorization"]


def test_every_integration_hands_the_request_to_its_function_as_payload_2(template: dict[str, Any]) -> None:
    for name, integration in resources_of_type(template, "AWS::ApiGatewayV2::Integration").items():
        properties = integration["Properties"]
        assert properties["ApiId"] == {"Ref": "HttpApi"}, name
        assert properties["IntegrationType"] == "AWS_PROXY", name
        assert properties["PayloadFormatVersion"] == "2.0", name
        assert properties["IntegrationUri"]["Fn::GetAtt"][1] == "Arn", name


def _execute_api_arn(route_key: str) -> str:
    """The ARN API Gateway invokes a function with for a request on the route (path variables filled in)."""
    method, path = route_key.split(" ", 1)
    path = re.sub(r"\{[^}]+\}", "x", path)
    method = "GET" if method == "ANY" else method
    return f"arn:aws:execute-api:us-east-1:123456789012:api1/$default/{method}{path}"


def _pattern(source_arn: Any) -> re.Pattern[str]:
    text = source_arn["Fn::Sub"]
    text = text.replace("${AWS::Partition}", "aws").replace("${AWS::Region}", "us-east-1")
    text = text.replace("${AWS::AccountId}", "123456789012").replace("${HttpApi}", "api1")
    return re.compile("".join(".*" if char == "*" else re.escape(char) for char in text) + "$")


def test_api_gateway_may_invoke_each_function_on_its_routes_of_this_api_only(template: dict[str, Any]) -> None:
    permissions: dict[str, list[re.Pattern[str]]] = {}
    for permission in resources_of_type(template, "AWS::Lambda::Permission").values():
        properties = permission["Properties"]
        assert properties["Action"] == "lambda:InvokeFunction"
        if properties["Principal"] == "ses.amazonaws.com":
            # BCC Kith's receipt rule invokes the inbound function (tests/template/test_inbound_resources.py)
            assert properties["FunctionName"] == {"Ref": "InboundFunction"}
            continue
        assert properties["Principal"] == "apigateway.amazonaws.com"
        assert "${HttpApi}/" in properties["SourceArn"]["Fn::Sub"]
        permissions.setdefault(properties["FunctionName"]["Ref"], []).append(_pattern(properties["SourceArn"]))

    for route_key, _, function in ROUTES:
        arn = _execute_api_arn(route_key)
        assert any(pattern.match(arn) for pattern in permissions[function]), f"{function} may not be invoked on {arn}"
    # And not on another function's routes: the webhook function is not the owner's API
    assert not any(pattern.match(_execute_api_arn("GET /v1/owner")) for pattern in permissions["WebhookFunction"])
    assert not any(pattern.match(_execute_api_arn("POST /a/x")) for pattern in permissions["ConsoleFunction"])


def _dependencies(resources: dict[str, Any]) -> dict[str, set[str]]:
    def named(node: Any, found: set[str]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "Ref" and isinstance(value, str):
                    found.add(value)
                elif key == "Fn::GetAtt":
                    found.add(value[0] if isinstance(value, list) else str(value).split(".")[0])
                elif key == "Fn::Sub":
                    text, variables = (value, {}) if isinstance(value, str) else value
                    found.update(name.split(".")[0] for name in _SUB_NAME.findall(text) if name not in variables)
                    named(variables, found)
                else:
                    named(value, found)
        elif isinstance(node, list):
            for item in node:
                named(item, found)

    graph = {}
    for name, body in resources.items():
        found: set[str] = set()
        named(body.get("Properties", {}), found)
        depends = body.get("DependsOn", [])
        found.update([depends] if isinstance(depends, str) else depends)
        graph[name] = found & set(resources)
    return graph


def _cycles(resources: dict[str, Any]) -> list[list[str]]:
    graph, state, cycles = _dependencies(resources), {}, []

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        for needed in sorted(graph[name]):
            if state.get(needed) == "open":
                cycles.append([*path[path.index(needed) :], name, needed] if needed in path else [name, needed])
            elif needed not in state:
                visit(needed, [*path, name])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    return cycles


def test_after_the_sam_transform_no_resource_depends_on_itself(template: dict[str, Any]) -> None:
    # The console client names the API in its callback URLs; the API must not need the client back.
    assert _cycles(translated(template)["Resources"]) == []


def test_the_check_finds_the_cycle_a_sam_authorizer_naming_the_console_client_would_make(
    template: dict[str, Any],
) -> None:
    # Given the API as a SAM HttpApi whose JWT authorizer names the console client as its audience
    broken = copy.deepcopy(template)
    jwt = broken["Resources"]["OwnerJwtAuthorizer"]["Properties"]["JwtConfiguration"]
    broken["Resources"]["HttpApi"] = {
        "Type": "AWS::Serverless::HttpApi",
        "Properties": {
            "StageName": "$default",
            "Auth": {
                "DefaultAuthorizer": "OwnerJwt",
                "Authorizers": {
                    "OwnerJwt": {
                        "IdentitySource": "$request.header.Authorization",
                        "JwtConfiguration": {"issuer": jwt["Issuer"], "audience": jwt["Audience"]},
                    }
                },
            },
        },
    }
    del broken["Resources"]["HttpApiStage"]
    # Then the transformed template has the cycle
    cycles = _cycles(translated(broken)["Resources"])
    assert any({"HttpApi", "ConsoleClient"} <= set(cycle) for cycle in cycles), cycles


def test_cfn_lint_finds_no_error_in_the_transformed_template(template: dict[str, Any], tmp_path: Path) -> None:
    # cfn-lint reads a SAM template as written; some faults (a cycle through a transformed resource) show only after.
    transformed = tmp_path / "transformed.json"
    transformed.write_text(json.dumps(translated(template)), encoding="utf-8")
    cfn_lint = Path(sys.executable).with_name("cfn-lint")

    completed = subprocess.run(
        [str(cfn_lint), "--format", "parseable", str(transformed)],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    errors = [line for line in completed.stdout.splitlines() if re.search(r":E\d{4}:", line)]
    assert errors == [], completed.stdout + completed.stderr
    assert completed.returncode & 2 == 0, completed.stdout + completed.stderr
