"""The owner's HTTP API: profile, contacts, calendar connections, and what Kith recorded."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from kith.api_models import (
    ConnectionCreated,
    ConnectionIn,
    ConnectionOut,
    ContactIn,
    ContactOut,
    ContactPatch,
    ContactsIn,
    ContactsOut,
    FollowUpOut,
    InteractionOut,
    OwnerIn,
    OwnerOut,
    SentOut,
)
from kith.errors import KithError, Unauthorized
from kith.events import request_time
from kith.http import error_response, json_response, status_for, validation_response
from kith.observability import logger, metrics, tracer
from kith.runtime import Runtime
from kith.usecases import connections, contacts, owners
from pydantic import ValidationError

app = APIGatewayHttpResolver(enable_validation=True)
runtime = Runtime()


def _owner_id() -> str:
    claims = app.current_event.request_context.authorizer.jwt_claim or {}
    subject = claims.get("sub")
    if not subject:
        raise Unauthorized("a token with a subject is required")
    return str(subject)


def _now() -> datetime:
    return request_time(app.current_event)


@app.put("/v1/owner")
def put_owner(owner: Annotated[OwnerIn, Body()]) -> OwnerOut:
    saved = owners.save_owner(
        runtime.repository, _owner_id(), owner.email, owner.name, owner.settings(), _now(), owner.subscribed
    )
    return OwnerOut.of(saved)


@app.get("/v1/owner")
def get_owner() -> OwnerOut:
    return OwnerOut.of(runtime.repository.get_owner(_owner_id()))


@app.post("/v1/contacts")
def post_contact(contact: Annotated[ContactIn, Body()]) -> Response[str]:
    created = contacts.add_contact(runtime.repository, _owner_id(), contact.model_dump(), _now())
    return json_response(201, ContactOut.of(created).model_dump(mode="json"))


@app.post("/v1/contacts/batch")
def post_contacts(batch: Annotated[ContactsIn, Body()]) -> Response[str]:
    rows = [contact.model_dump() for contact in batch.contacts]
    created = contacts.add_contacts(runtime.repository, _owner_id(), rows, _now())
    return json_response(201, ContactsOut.of(created).model_dump(mode="json"))


@app.get("/v1/contacts")
def get_contacts() -> dict[str, list[ContactOut]]:
    return {"contacts": [ContactOut.of(contact) for contact in contacts.list_contacts(runtime.repository, _owner_id())]}


@app.get("/v1/contacts/<contact_id>")
def get_contact(contact_id: str) -> ContactOut:
    return ContactOut.of(runtime.repository.get_contact(_owner_id(), contact_id))


@app.patch("/v1/contacts/<contact_id>")
def patch_contact(
    contact_id: str,
    changes: Annotated[ContactPatch, Body()],
    if_match: Annotated[int | None, Header(alias="if-match")] = None,
) -> ContactOut:
    updated = contacts.update_contact(
        runtime.repository, _owner_id(), contact_id, changes.model_dump(exclude_unset=True), if_match
    )
    return ContactOut.of(updated)


@app.post("/v1/connections")
def post_connection(connection: Annotated[ConnectionIn, Body()]) -> Response[str]:
    base = runtime.settings.public_base_url or f"https://{app.current_event.request_context.domain_name}"
    created = connections.connect_calendar(
        runtime.repository,
        lambda: runtime.calendar_accounts,
        runtime.meeting_queue,
        _owner_id(),
        connection.provider,
        base,
        _now(),
        authorization_code=connection.authorization_code,
        redirect_uri=connection.redirect_uri,
    )
    return json_response(201, ConnectionCreated.of(created).model_dump(mode="json"))


@app.delete("/v1/connections/<connection_id>")
def delete_connection(connection_id: str) -> Response[str]:
    connections.disconnect_calendar(
        runtime.repository, lambda: runtime.calendar_accounts, _owner_id(), connection_id, _now()
    )
    return Response(status_code=204, body="")


@app.get("/v1/connections")
def get_connections() -> dict[str, list[ConnectionOut]]:
    listed = runtime.repository.list_connections(_owner_id())
    return {"connections": [ConnectionOut.at(item, _now()) for item in listed]}


@app.get("/v1/interactions")
def get_interactions() -> dict[str, list[InteractionOut]]:
    found = runtime.repository.list_interactions(_owner_id())
    return {"interactions": [InteractionOut.of(interaction) for interaction in found]}


@app.get("/v1/follow-ups")
def get_follow_ups() -> dict[str, list[FollowUpOut]]:
    found = runtime.repository.list_follow_ups(_owner_id())
    return {"follow_ups": [FollowUpOut.of(follow_up) for follow_up in found]}


@app.get("/v1/sent")
def get_sent() -> dict[str, list[SentOut]]:
    return {"sent": [SentOut.of(sent) for sent in runtime.repository.list_sent(_owner_id())]}


@app.exception_handler(KithError)
def refuse(error: KithError) -> Response[str]:
    logger.info("request refused", extra={"status": status_for(error), "reason": type(error).__name__})
    return error_response(error)


@app.exception_handler(RequestValidationError)
def invalid(error: RequestValidationError) -> Response[str]:
    return validation_response(list(error.errors()))


@app.exception_handler(ValidationError)
def invalid_model(error: ValidationError) -> Response[str]:
    return validation_response([dict(detail) for detail in error.errors()])


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
