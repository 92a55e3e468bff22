"""Reading template.yaml, short-form intrinsics included, and resolving what the local stack needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPOSITORY = Path(__file__).resolve().parents[2]
TEMPLATE = REPOSITORY / "template.yaml"


class _Loader(yaml.SafeLoader):
    """A SafeLoader that reads !Ref, !GetAtt, !Sub and friends as their long forms."""


def _intrinsic(loader: _Loader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_Loader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        document: dict[str, Any] = yaml.load(handle, Loader=_Loader)
    return document


def resources_of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: body for name, body in template.get("Resources", {}).items() if body.get("Type") == kind}


@dataclass
class HttpRoute:
    function: str
    method: str
    path: str
    authorized: bool


@dataclass
class FunctionSpec:
    name: str
    code_uri: Path
    handler: str
    environment: dict[str, Any]
    routes: list[HttpRoute] = field(default_factory=list)
    queues: list[str] = field(default_factory=list)
    schedules: list[str] = field(default_factory=list)

    @property
    def module_file(self) -> Path:
        return self.code_uri / (self.handler.rsplit(".", 1)[0].replace(".", "/") + ".py")

    @property
    def handler_name(self) -> str:
        return self.handler.rsplit(".", 1)[1]


def http_routes(template: dict[str, Any]) -> list[HttpRoute]:
    """The HTTP API's routes (AWS::ApiGatewayV2::Route), each with the function its integration invokes."""
    integrations = resources_of_type(template, "AWS::ApiGatewayV2::Integration")
    found: list[HttpRoute] = []
    for name, body in resources_of_type(template, "AWS::ApiGatewayV2::Route").items():
        properties = body["Properties"]
        method, path = properties["RouteKey"].split(" ", 1)
        target = properties["Target"]["Fn::Sub"]
        if not target.startswith("integrations/${") or not target.endswith("}"):
            raise KeyError(f"{name}: the local stack reads a Target of integrations/${{<Integration>}}, not {target}")
        integration = integrations[target.removeprefix("integrations/${").removesuffix("}")]
        function = integration["Properties"]["IntegrationUri"]["Fn::GetAtt"][0]
        found.append(HttpRoute(function, method.upper(), path, properties.get("AuthorizationType") == "JWT"))
    return found


def functions(template: dict[str, Any], root: Path = REPOSITORY) -> dict[str, FunctionSpec]:
    """Every function with its merged environment (Globals first), its routes and its events, unresolved."""
    globals_env = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    routes = http_routes(template)
    found: dict[str, FunctionSpec] = {}
    for name, body in resources_of_type(template, "AWS::Serverless::Function").items():
        properties = body["Properties"]
        own_env = properties.get("Environment", {}).get("Variables", {})
        spec = FunctionSpec(
            name=name,
            code_uri=root / properties["CodeUri"],
            handler=properties["Handler"],
            environment={**globals_env, **own_env},
            routes=[route for route in routes if route.function == name],
        )
        for event in properties.get("Events", {}).values():
            event_properties = event.get("Properties", {})
            if event["Type"] == "SQS":
                spec.queues.append(event_properties["Queue"]["Fn::GetAtt"][0])
            elif event["Type"] == "Schedule":
                spec.schedules.append(event_properties["Schedule"])
        found[name] = spec
    return found


def _known(references: dict[str, Any], key: str, what: str) -> Any:
    if key not in references:
        raise KeyError(f"no local value for {what}")
    return references[key]


def _if(argument: list[Any], references: dict[str, Any]) -> Any:
    condition, when_true, when_false = argument
    holds = _known(references, f"Condition:{condition}", f"Condition {condition}")
    return resolve(when_true if holds else when_false, references)


def _sub(argument: Any, references: dict[str, Any]) -> str:
    text = argument if isinstance(argument, str) else argument[0]
    for name, replacement in references.items():
        text = text.replace("${" + name + "}", str(replacement))
    return str(text)


_INTRINSICS: dict[str, Any] = {
    "Ref": lambda argument, references: _known(references, argument, f"Ref {argument}"),
    "Fn::GetAtt": lambda argument, references: _known(references, ".".join(argument), f"GetAtt {'.'.join(argument)}"),
    "Fn::If": _if,
    "Fn::Sub": _sub,
}


def resolve(value: Any, references: dict[str, Any]) -> Any:
    """Resolve Ref, Fn::GetAtt, Fn::If, Fn::Sub (simple ${Name} forms) against known values."""
    if isinstance(value, dict) and len(value) == 1:
        ((kind, argument),) = value.items()
        if kind in _INTRINSICS:
            return _INTRINSICS[kind](argument, references)
    if isinstance(value, dict):
        return {key: resolve(item, references) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, references) for item in value]
    return value


def evaluate_conditions(template: dict[str, Any], references: dict[str, Any]) -> None:
    """Add each of the template's conditions (Fn::Equals of known values, or Fn::Not of one) to the references."""
    for name, body in template.get("Conditions", {}).items():
        references[f"Condition:{name}"] = _holds(name, body, references)


def _holds(name: str, body: dict[str, Any], references: dict[str, Any]) -> bool:
    ((kind, argument),) = body.items()
    if kind == "Fn::Not":
        return not _holds(name, argument[0], references)
    if kind != "Fn::Equals":
        raise KeyError(f"the local stack reads only Fn::Equals and Fn::Not conditions, not {kind} in {name}")
    left, right = (resolve(side, references) for side in argument)
    return bool(left == right)
