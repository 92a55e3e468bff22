"""The owner's HTTP API: profile, contacts, calendar connections, and what Kith recorded."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from kith import api_consent
from kith.api_contacts import (
    ContactActionIn,
    ContactIn,
    ContactOut,
    ContactPage,
    ContactPatch,
    ContactsIn,
    ContactsOut,
    GoalsIn,
    GoalsOut,
    OwnerIn,
    OwnerOut,
)
from kith.api_due import DueOut
from kith.api_models import (
    ConnectionCreated,
    ConnectionIn,
    ConnectionOut,
    ConnectionsOut,
    ConsentIn,
    ConsentOut,
    ExportOut,
    FollowUpPage,
    ImportReportOut,
    InteractionIn,
    InteractionOut,
    InteractionPage,
    SentPage,
)
from kith.domain.actions import Action
from kith.domain.connections import Provider, available_providers
from kith.domain.models import MAX_ID_LENGTH, Circle, Contact, FollowUpStatus, owner_id_from_subject
from kith.domain.search import ContactFilter
from kith.errors import KithError, MalformedBody, NotFound
from kith.events import raw_body, read_json, request_time
from kith.http import (
    error_response,
    etag,
    expected_version,
    json_response,
    read_bodies_as_json_only,
    status_for,
    validation_response,
)
from kith.observability import logger, metrics, tracer
from kith.runtime import Runtime
from kith.usecases import (
    actions,
    connections,
    consent,
    contacts,
    due,
    erasure,
    export,
    follow_ups,
    goals,
    imports,
    inbound,
    interactions,
    owners,
)
from pydantic import ValidationError

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=read_json)
read_bodies_as_json_only(app)
runtime = Runtime()


def _owner_id() -> str:
    claims = app.current_event.request_context.authorizer.jwt_claim or {}
    return owner_id_from_subject(claims.get("sub"))


def _now() -> datetime:
    return request_time(app.current_event)


Limit = Annotated[int, Query(ge=1, le=200, description="How many items a page holds (1 to 200).")]
Cursor = Annotated[str | None, Query(description="The `next_cursor` of the page before; left out, the first page.")]
Id = Annotated[str, Path(max_length=MAX_ID_LENGTH, description="An id as the API gave it.")]


@app.put("/v1/owner")
def put_owner(owner: Annotated[OwnerIn, Body()]) -> OwnerOut:
    saved = owners.save_owner(
        runtime.contact_store, _owner_id(), owner.email, owner.name, owner.settings(), _now(), owner.subscribed
    )
    return OwnerOut.of(saved)


@app.get("/v1/owner")
def get_owner() -> OwnerOut:
    return OwnerOut.of(runtime.contact_store.get_owner(_owner_id()))


@app.post("/v1/contacts")
def post_contact(contact: Annotated[ContactIn, Body()]) -> Response[str]:
    created = contacts.add_contact(runtime.contact_store, _owner_id(), contact.command(), _now())
    return json_response(201, ContactOut.of(created).model_dump(mode="json"))


@app.post("/v1/contacts/batch")
def post_contacts(batch: Annotated[ContactsIn, Body()]) -> Response[str]:
    created = contacts.add_contacts(runtime.contact_store, _owner_id(), batch.commands(), _now())
    return json_response(201, ContactsOut.of(created).model_dump(mode="json"))


@app.get("/v1/contacts")
def get_contacts(
    limit: Limit = 50,
    cursor: Cursor = None,
    circle: Annotated[Circle | None, Query(description="Only contacts in this circle.")] = None,
    goal: Annotated[
        str | None, Query(min_length=1, max_length=100, description="Only contacts with this goal (whatever its case).")
    ] = None,
    due: Annotated[bool, Query(description="true: only contacts due now.")] = False,
    overdue: Annotated[bool, Query(description="true: only contacts overdue now.")] = False,
    q: Annotated[
        str | None, Query(min_length=1, max_length=100, description="The start of a word of the name, or of an e-mail.")
    ] = None,
) -> ContactPage:
    filters = ContactFilter(circle=circle, goal=goal, due=due, overdue=overdue, q=q)
    page = contacts.find_contacts(runtime.contact_store, _owner_id(), filters, _now(), limit, cursor)
    return ContactPage.of(page)


@app.get("/v1/contacts/<contact_id>")
def get_contact(contact_id: Id) -> Response[ContactOut]:
    return _versioned(runtime.contact_store.get_contact(_owner_id(), contact_id))


@app.patch("/v1/contacts/<contact_id>")
def patch_contact(
    contact_id: Id,
    changes: Annotated[ContactPatch, Body()],
    if_match: Annotated[
        str | None, Header(alias="if-match", description='The ETag read, "3" (or 3): refuse a stale write (412).')
    ] = None,
) -> Response[ContactOut]:
    updated = contacts.update_contact(
        runtime.contact_store,
        _owner_id(),
        contact_id,
        changes.changes(),
        expected_version(if_match),
    )
    return _versioned(updated)


_CONTACT_ACTIONS = {"done": Action.DONE, "snooze": Action.SNOOZE, "see_less_often": Action.LESS_OFTEN}


@app.post("/v1/contacts/<contact_id>/actions")
def post_contact_action(contact_id: Id, action: Annotated[ContactActionIn, Body()]) -> Response[ContactOut]:
    """Done, Snooze 14 days or See less often, as the digest's buttons do: the contact as it is now."""
    changed = actions.act_on_contact(
        runtime.action_store, _owner_id(), contact_id, _CONTACT_ACTIONS[action.action], _now()
    )
    return _versioned(changed)


@app.get("/v1/contacts/<contact_id>/interactions")
def get_contact_interactions(contact_id: Id, limit: Limit = 50, cursor: Cursor = None) -> InteractionPage:
    """The contact's timeline, newest first."""
    return InteractionPage.of(contacts.timeline(runtime.contact_store, _owner_id(), contact_id, limit, cursor))


def _versioned(contact: Contact) -> Response[ContactOut]:
    """A contact with its version as ETag, for the next write's If-Match."""
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=ContactOut.of(contact),
        headers={"ETag": etag(contact.version)},
    )


@app.post("/v1/connections")
def post_connection(connection: Annotated[ConnectionIn, Body()]) -> Response[str]:
    created = connections.connect_calendar(
        runtime.connection_store,
        lambda: runtime.calendar_accounts,
        runtime.meeting_queue,
        _owner_id(),
        connection.provider,
        _public_base(),
        _now(),
        authorization_code=connection.authorization_code,
        redirect_uri=connection.redirect_uri,
        available=_available_providers(),
        mail=connection.mail,
    )
    return json_response(201, ConnectionCreated.of(created).model_dump(mode="json"))


def _available_providers() -> tuple[Provider, ...]:
    return available_providers(runtime.settings.oauth_clients)


@app.delete("/v1/connections/<connection_id>")
def delete_connection(connection_id: Id) -> Response[str]:
    connections.disconnect_calendar(
        runtime.connection_store, lambda: runtime.calendar_accounts, _owner_id(), connection_id, _now()
    )
    return Response(status_code=204, body="")


@app.get("/v1/connections")
def get_connections() -> ConnectionsOut:
    owner_id = _owner_id()
    listed = runtime.connection_store.connection_summaries(owner_id)
    return ConnectionsOut(
        connections=[ConnectionOut.at(summary, _now()) for summary in listed],
        available_providers=_available_providers(),
        bcc_address=_bcc_address(owner_id),
    )


def _bcc_address(owner_id: str) -> str | None:
    """Made on first ask, so given only to an owner with a profile: before one, nothing is written."""
    if not runtime.settings.mail_domain:
        return None
    try:
        runtime.connection_store.get_owner(owner_id)
    except NotFound:
        return None
    return inbound.bcc_address(runtime.inbound_store, owner_id, runtime.settings.mail_domain)


# -- calendar consent: the owner's browser goes to the provider and comes back to the callback ------------


@app.post("/v1/connections/<provider>/authorize")
def post_consent(
    provider: Annotated[Provider, Path(description="google or outlook")],
    asked: Annotated[ConsentIn | None, Body()] = None,
) -> ConsentOut:
    """The provider's consent URL for the owner: once they allow, the callback connects the calendar."""
    started = consent.begin_consent(
        runtime.connection_store,
        runtime.oauth,
        runtime.action_keys(),
        _owner_id(),
        provider,
        _public_base(),
        _now(),
        available=_available_providers(),
        mail=asked is not None and asked.mail,
    )
    return ConsentOut(authorize_url=started.authorize_url, expires_at=started.expires_at)


@app.get(
    "/oauth/<provider>/callback",
    responses={
        303: {"description": "Connected: on to the console's calendars page", "content": {}},
        400: {
            "description": "Nothing connected (also 403, 404, 409, 422): a page in words",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
    },
)
def get_consent_callback(provider: Annotated[str, Path(description="google or outlook")]) -> Response[str]:
    """Where the provider sends the owner's browser back (no JWT: the signed, single-use state is the proof)."""
    try:
        query = app.current_event.query_string_parameters or {}
        calendar = consent.calendar_provider(provider)
        consent.complete_consent(
            runtime.connection_store,
            lambda: runtime.calendar_accounts,
            runtime.meeting_queue,
            runtime.action_keys,
            calendar,
            consent.ProviderAnswer.of(query),
            _public_base(),
            _now(),
            available=_available_providers(),
        )
    except KithError as refused:
        logger.info("consent refused", extra={"status": status_for(refused), "reason": type(refused).__name__})
        return api_consent.refused(refused)
    logger.info("calendar connected by consent", extra={"provider": calendar.value})
    return api_consent.connected(calendar)


def _public_base() -> str:
    """The address providers and people reach Kith at: the configured one, else the API's own."""
    return runtime.settings.public_base_url or f"https://{app.current_event.request_context.domain_name}"


@app.get("/v1/interactions")
def get_interactions(limit: Limit = 50, cursor: Cursor = None) -> InteractionPage:
    return InteractionPage.of(runtime.meeting_store.interactions_page(_owner_id(), limit, cursor))


@app.post("/v1/interactions")
def post_interaction(logged: Annotated[InteractionIn, Body()]) -> Response[str]:
    """A call, a message or a note, by hand: it resets its contacts' clocks as a meeting does."""
    created = interactions.log_interaction(
        runtime.meeting_store,
        _owner_id(),
        logged.interaction_kind,
        logged.contact_ids,
        logged.at,
        logged.title,
        _now(),
    )
    return json_response(201, InteractionOut.of(created).model_dump(mode="json"))


@app.delete("/v1/interactions/<interaction_id>")
def delete_interaction(interaction_id: Id) -> Response[str]:
    """Only interactions logged by hand (409 for a meeting); the contacts' clocks go back."""
    interactions.delete_interaction(runtime.meeting_store, _owner_id(), interaction_id, _now())
    return Response(status_code=204, body="")


@app.get("/v1/follow-ups")
def get_follow_ups(
    limit: Limit = 50,
    cursor: Cursor = None,
    status: Annotated[FollowUpStatus | None, Query(description="Only follow-ups in this state, e.g. pending.")] = None,
) -> FollowUpPage:
    """Follow-ups after meetings, each naming its contacts."""
    page, names = follow_ups.follow_ups_page(runtime.meeting_store, _owner_id(), limit, cursor, status)
    return FollowUpPage.of(page, names)


@app.get("/v1/sent")
def get_sent(limit: Limit = 50, cursor: Cursor = None) -> SentPage:
    return SentPage.of(runtime.mail_store.sent_page(_owner_id(), limit, cursor))


@app.get("/v1/goals")
def get_goals() -> GoalsOut:
    return GoalsOut.of(runtime.contact_store.get_goals(_owner_id()))


@app.put("/v1/goals")
def put_goals(declared: Annotated[GoalsIn, Body()]) -> GoalsOut:
    return GoalsOut.of(goals.declare_goals(runtime.contact_store, _owner_id(), declared.domain()))


@app.post("/v1/imports")
def post_import(
    dry_run: Annotated[
        bool, Query(description="true (the default) reports what would happen and writes nothing")
    ] = True,
    filename: Annotated[str | None, Query(max_length=255)] = None,
    rows: Annotated[
        str | None, Query(pattern=r"^\d{1,5}:\d{1,5}$", description="start:end, a part of the readable rows")
    ] = None,
) -> Response[str]:
    """Import a LinkedIn Connections.csv, Google Contacts CSV, vCard or Kith CSV file sent as the body."""
    part = slice(*(int(bound) for bound in rows.split(":"))) if rows else None
    plan = imports.import_file(
        runtime.import_store, _owner_id(), raw_body(app.current_event), filename, _now(), dry_run=dry_run, rows=part
    )
    return json_response(200 if dry_run else 201, ImportReportOut.of(plan, dry_run).model_dump(mode="json"))


@app.get(
    "/v1/export",
    compress=True,
    responses={200: {"description": "Everything the owner has", "content": {"application/json": {"model": ExportOut}}}},
)
def get_export() -> Response[str]:
    """Everything you have in Kith, as one JSON document."""
    document = ExportOut.of(export.export_owner(runtime.erasure_store, _owner_id()), _now())
    # Compact, and gzipped for clients that accept it: the document has to fit in one Lambda response (6 MB).
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=document.model_dump_json())


@app.get(
    "/v1/export/contacts.csv",
    compress=True,
    responses={
        200: {
            "description": "The contacts as Kith's CSV",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def get_contacts_csv() -> Response[str]:
    """Your contacts as Kith's CSV, which an import reads back."""
    text = export.export_contacts_csv(runtime.erasure_store, _owner_id())
    filename = f"kith-contacts-{_now().date().isoformat()}.csv"
    return Response(
        status_code=200,
        content_type="text/csv; charset=utf-8",
        body=text,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@app.delete("/v1/contacts/<contact_id>")
def delete_contact(
    contact_id: Id,
    if_match: Annotated[
        str | None, Header(alias="if-match", description='The ETag read, "3" (or 3): refuse a stale delete (412).')
    ] = None,
) -> Response[str]:
    erasure.erase_contact(runtime.erasure_store, _owner_id(), contact_id, expected_version(if_match))
    return Response(status_code=204, body="")


@app.delete("/v1/owner")
def delete_owner() -> Response[str]:
    erasure.erase_owner(
        runtime.erasure_store, runtime.connection_store, lambda: runtime.calendar_accounts, _owner_id(), _now()
    )
    return Response(status_code=204, body="")


@app.get("/v1/due")
def get_due(
    limit: Annotated[
        int | None, Query(ge=1, le=200, description="How many to list (1 to 200); left out, the digest's size.")
    ] = None,
) -> DueOut:
    """Whom the next digest would name if nothing changed before it, in the digest's order."""
    return DueOut.of(due.next_digest(runtime.contact_store, _owner_id(), _now(), limit))


@app.not_found
def no_route(_: Exception) -> Response[str]:
    event = app.current_event
    return error_response(NotFound(f"no route {event.request_context.http.method} {event.raw_path}"))


@app.exception_handler(KithError)
def refuse(error: KithError) -> Response[str]:
    logger.info("request refused", extra={"status": status_for(error), "reason": type(error).__name__})
    return error_response(error)


@app.exception_handler(UnicodeDecodeError)
def undecodable(_: UnicodeDecodeError) -> Response[str]:
    """A JSON body in bytes that are not UTF-8: Powertools fails decoding it before any validation runs."""
    return error_response(MalformedBody("body is not valid JSON: it is not UTF-8"))


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
