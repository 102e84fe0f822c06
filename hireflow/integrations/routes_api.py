"""Webhooks and the integration settings under ``/api/v1`` (SPEC H5)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Response, UploadFile
from fastapi.responses import JSONResponse

from hireflow.core.errors import N_, ValidationFailed
from hireflow.core.events import EVENTS
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import require
from hireflow.core.rows import shaped
from hireflow.integrations import people_import, queries, schemas, tabular, transfer, webhooks
from hireflow.web.api_routes import ServiceRoutes
from hireflow.web.deps import ApiUser, DbSession, Id
from hireflow.web.streaming import attachment

router = APIRouter(tags=["integrations"])


def _created(endpoint: Any, *_context: Any) -> schemas.EndpointCreated:
    out = schemas.EndpointOut.model_validate(endpoint).model_dump()
    return schemas.EndpointCreated.model_validate({**out, "secret": endpoint.secret})


@router.get("/webhooks/events", response_model=schemas.EventCatalogue)
def event_catalogue(principal: ApiUser) -> Any:
    """Every event a webhook can receive, with the JSON schema of its ``data``.

    Each request's body is an envelope ``{"id", "type", "created_at", "subject", "data"}``,
    signed in the ``Hireflow-Signature`` header (``t=<unix>,v1=<HMAC-SHA256 hex of
    "<t>.<body>">``); ``Hireflow-Event-Id`` repeats the event id, the same in every retry and
    replay. Payloads carry ids only, never personal data.
    """
    require(principal, "webhooks.read")
    return schemas.EventCatalogue(
        envelope=schemas.EventEnvelope.model_json_schema(),
        events=[
            schemas.EventDoc(
                name=name,
                description=(model.__doc__ or "").strip(),
                data_schema=model.model_json_schema(by_alias=True),
            )
            for name, model in sorted(schemas.EVENT_DATA.items())
            if name in EVENTS
        ],
    )


ENDPOINT = "/webhooks/endpoints/{endpoint_id}"
hooks = ServiceRoutes(router, __name__, schemas.EndpointOut)
hooks.get(
    "/webhooks/endpoints", queries.endpoints, name="list_endpoints", model=list[schemas.EndpointOut]
)
hooks.create(
    "/webhooks/endpoints",
    webhooks.create_endpoint,
    schemas.EndpointIn,
    model=schemas.EndpointCreated,
    out=_created,
    doc="Create an endpoint; the answer shows its signing secret, once.",
)
hooks.get(ENDPOINT, queries.endpoint, name="get_endpoint")
hooks.put(ENDPOINT, webhooks.update_endpoint, schemas.EndpointIn)
hooks.delete(ENDPOINT, webhooks.delete_endpoint)


@router.post("/webhooks/endpoints/{endpoint_id}/rotate", response_model=schemas.EndpointCreated)
def rotate_secret(
    endpoint_id: Id, data: schemas.RotateIn, session: DbSession, principal: ApiUser
) -> Any:
    """A new secret; the previous one keeps signing beside it for ``grace_hours``."""
    return _created(webhooks.rotate_secret(session, principal, endpoint_id, data.grace_hours))


@router.get("/webhooks/deliveries", response_model=schemas.DeliveryPage)
def list_deliveries(
    session: DbSession,
    principal: ApiUser,
    endpoint_id: Id | None = None,
    status: str | None = Query(default=None, max_length=20),
    event: str | None = Query(default=None, max_length=60),
    page: int = Query(default=1, ge=1, le=100_000),
) -> Any:
    """The delivery log, newest first, 50 a page."""
    where = queries.DeliveryFilter(endpoint_id, status, event, page)
    rows, total = queries.deliveries(session, principal, where)
    return schemas.DeliveryPage(
        items=[schemas.DeliveryOut.model_validate(r) for r in rows], total=total
    )


DELIVERY = "/webhooks/deliveries/{delivery_id}"
hooks.get(DELIVERY, queries.delivery, name="get_delivery", model=schemas.DeliveryDetail)
hooks.post(
    f"{DELIVERY}/replay",
    webhooks.replay,
    name="replay_delivery",
    model=schemas.DeliveryOut,
    status_code=201,
    doc="Send a delivered or failed delivery again (a new log row, the same event id).",
)


@router.get("/integrations/settings", response_model=schemas.SettingsIO)
def get_settings(session: DbSession, principal: ApiUser) -> Any:
    return schemas.SettingsIO(allow_private_addresses=queries.allow_private(session, principal))


@router.put("/integrations/settings", response_model=schemas.SettingsIO)
def put_settings(data: schemas.SettingsIO, session: DbSession, principal: ApiUser) -> Any:
    row = webhooks.set_settings(session, principal, data)
    return schemas.SettingsIO(allow_private_addresses=row.allow_private_addresses)


# ------------------------------------------------------------------------------ transfer


def _report(report: transfer.ImportReport, language: str) -> schemas.ImportReportOut:
    _ = gettext_for(language)
    return shaped(
        schemas.ImportReportOut,
        report,
        errors=[
            schemas.RowErrorOut(
                row=e.row, field=e.field, code=e.code, message=_(transfer.ERROR_MESSAGES[e.code])
            )
            for e in report.errors
        ],
    )


@router.get("/exports", response_class=Response)
def export_file(
    session: DbSession,
    principal: ApiUser,
    kind: Literal["candidates", "results", "employees"] = "candidates",
    format: Literal["csv", "xlsx"] = "csv",
    mapping: str = Query(default="hireflow", max_length=40),
) -> Response:
    """Candidates, interview results or employees the caller may read, as CSV or XLSX with the
    headers of a preset (hireflow, beisen, moka, feishu) or a saved mapping (``saved:<id>``)."""
    content, filename = transfer.export(session, principal, kind, format, mapping)
    return attachment(content, tabular.MEDIA_TYPES[format], filename)


@router.get("/imports/presets", response_model=list[schemas.PresetOut])
def presets(principal: ApiUser) -> Any:
    require(principal, "data.import")
    return [
        schemas.PresetOut(name=name, kind=kind, columns=columns)
        for name, kinds in transfer.PRESETS.items()
        for kind, columns in kinds.items()
    ]


hooks.get(
    "/imports/mappings", transfer.mappings, name="list_mappings", model=list[schemas.MappingOut]
)


@router.post("/imports/mappings", response_model=schemas.MappingOut, status_code=201)
def save_mapping(data: schemas.MappingIn, session: DbSession, principal: ApiUser) -> Any:
    return transfer.save_mapping(session, principal, data.kind, data.name, data.columns)


# Declared after /imports/mappings, which the path would otherwise swallow.
@router.post("/imports/{kind}", response_model=schemas.ImportReportOut)
def import_file(
    kind: Literal["candidates", "employees", "results"],
    session: DbSession,
    principal: ApiUser,
    file: UploadFile | None = None,
    mapping: str = Query(default="", max_length=40),
    system: str = Query(default="", max_length=40, description="results: the source system"),
    dry_run: bool = True,
) -> Any:
    """Check (``dry_run``, the default) or import a CSV/XLSX (at most 5 MB and 5,000 rows):
    ``candidates`` are created; ``employees`` get department (by name), manager (by e-mail)
    and start date, matched by employee number; ``results`` (person id, dimension, score 0–10,
    date, opening) go onto the people's records marked as imported from ``system``. Every
    row's errors are reported with its row number; nothing is written unless all rows are
    valid (422 with the report). ``created`` lists what was created or changed."""
    capability, importer = people_import.IMPORTERS[kind]
    require(principal, capability)  # who may not import learns nothing from the file's checks
    if file is None:
        raise ValidationFailed(N_("Choose a file to upload."), fields={"file": "required"})
    content = file.file.read(tabular.MAX_BYTES + 1)
    upload = transfer.ImportRequest(file.filename or "", content, mapping, dry_run, system)
    report = importer(session, principal, upload)
    out = _report(report, principal.language)
    if not dry_run and not report.written:
        return JSONResponse(out.model_dump(), status_code=422)
    return out
