"""The wire module (sync/protocol.py) is the contract: the served OpenAPI document is made of its models, every
model is on the wire, every failure has its error shape, every code the server can answer is a member of
``Code``, and the pull feed's fast path writes exactly the JSON of the models."""

from __future__ import annotations

import ast
import inspect
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from clinic_app.registry import REGISTRY
from sync import protocol as p
from sync.server.app import create_app

from .conftest import HEADERS, County
from .test_api import mutation, push, resident

ROOT = Path(__file__).resolve().parents[2]
REF = "#/components/schemas/{model}"

# The wire, endpoint by endpoint: (request body model, answer model, status of the answer).
WIRE: dict[tuple[str, str], tuple[type[BaseModel] | None, Any, str]] = {
    ("get", "/health"): (None, p.HealthResponse, "200"),
    ("post", "/api/v1/enroll"): (p.EnrollRequest, p.EnrollResponse, "201"),
    ("post", "/api/v1/login"): (p.LoginRequest, p.LoginResponse, "200"),
    ("post", "/api/v1/users/signin"): (p.UserSignInRequest, p.UserSignInResponse, "200"),
    ("get", "/api/v1/meta"): (None, p.MetaResponse, "200"),
    ("post", "/api/v1/push"): (p.PushRequest, p.PushResponse, "200"),
    ("get", "/api/v1/pull"): (None, p.PullResponse, "200"),
    ("get", "/api/v1/checksums"): (None, p.ChecksumsResponse, "200"),
    ("get", "/api/v1/snapshot"): (None, p.SnapshotResponse, "200"),
    ("post", "/api/v1/residents/lookup"): (p.LookupRequest, p.LookupResponse, "200"),
    ("get", "/api/v1/county/clinics"): (None, [p.ClinicOverview], "200"),
    ("get", "/api/v1/county/conflicts"): (None, [p.ConflictView], "200"),
    ("post", "/api/v1/county/conflicts/{conflict_id}/resolve"): (p.ResolveRequest, p.ResolveResponse, "200"),
    ("post", "/api/v1/admin/clinics"): (p.NewClinic, p.Done, "201"),
    ("post", "/api/v1/admin/users"): (p.NewUser, p.Done, "201"),
    ("post", "/api/v1/admin/enroll-codes"): (p.NewEnrollCode, p.EnrollCode, "201"),
    ("get", "/api/v1/admin/devices"): (None, [p.DeviceView], "200"),
    ("post", "/api/v1/admin/devices/{device_id}/revoke"): (None, p.Done, "200"),
    ("post", "/api/v1/admin/catalog"): (p.CatalogUpload, p.CatalogReport, "200"),
    ("post", "/api/v1/admin/policy"): (p.PolicyValue, p.Done, "200"),
}
# Models that are parts of others (reached through their $refs), not a body of their own.
PARTS = {p.ErrorBody, p.Mutation, p.MutationResult, p.Change, p.TableChecksum}
CLIENT_ONLY: dict[type[BaseModel], str] = {}  # none: every model of the module is served


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    with TestClient(create_app("sqlite:///:memory:")) as client:
        return dict(client.get("/openapi.json").json())


def _module_models() -> set[type[BaseModel]]:
    return {
        m
        for m in vars(p).values()
        if inspect.isclass(m) and issubclass(m, BaseModel) and m.__module__ == p.__name__ and m is not p.Model
    }


def _without_none_defaults(schema: Any) -> Any:
    """FastAPI leaves ``"default": null`` out of the schemas it serves; nothing else differs."""
    if isinstance(schema, dict):
        return {k: _without_none_defaults(v) for k, v in schema.items() if not (k == "default" and v is None)}
    if isinstance(schema, list):
        return [_without_none_defaults(v) for v in schema]
    return schema


def _schema_of(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=REF)
    schema.pop("$defs", None)
    return dict(_without_none_defaults(schema))


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def test_every_endpoint_takes_and_answers_the_models_of_the_module(document: dict[str, Any]) -> None:
    served = {(method, path): op for path, item in document["paths"].items() for method, op in item.items()}
    assert set(served) == set(WIRE)
    for key, (request, answer, status) in WIRE.items():
        op = served[key]
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        assert body == (_ref(request) if request else None), key
        [ok] = [code for code in op["responses"] if code.startswith("2")]
        assert ok == status, key
        schema = op["responses"][ok]["content"]["application/json"]["schema"]
        if isinstance(answer, list):
            assert schema["type"] == "array" and schema["items"] == _ref(answer[0]), key
        else:
            assert schema == _ref(answer), key


def test_the_served_schemas_are_the_module_s_schemas(document: dict[str, Any]) -> None:
    components = document["components"]["schemas"]
    for model in _module_models():
        assert components[model.__name__] == _schema_of(model), model.__name__
    for name, schema in p.row_schemas(REF).items():
        assert components[name] == schema, name
    others = set(components) - {m.__name__ for m in _module_models()} - set(p.row_schemas(REF))
    assert others == {"Code", "Op", "Status"}  # the module's enums


def test_every_model_of_the_module_is_on_the_wire() -> None:
    used: set[type[BaseModel]] = set()
    for request, answer, _status in WIRE.values():
        used |= {request} if request else set()
        used |= {answer[0]} if isinstance(answer, list) else {answer}
    used.add(p.ErrorResponse)  # every 4xx and 5xx (the next test)
    assert _module_models() == used | PARTS | set(CLIENT_ONLY)
    for part in PARTS:  # a part is reached from a body
        assert any(f'"{REF.format(model=part.__name__)}"' in json.dumps(_schema_of(m)) for m in used), part


def test_every_failure_of_every_endpoint_is_the_error_body(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        for method, op in item.items():
            failures = {code: r for code, r in op["responses"].items() if code[0] in "45"}
            assert {"401", "422", "500"} <= set(failures), (method, path)
            for code, response in failures.items():
                assert response["content"]["application/json"]["schema"] == _ref(p.ErrorResponse), (
                    path,
                    code,
                )


def test_failures_on_the_wire_parse_as_the_error_body_with_a_known_code(county: County) -> None:
    device = county.enroll("A01")
    answers = {
        "no_token": county.client.get("/api/v1/meta", headers=HEADERS),
        "upgrade_required": county.client.get("/api/v1/meta"),
        "bad_token": county.client.get("/api/v1/meta", headers={**HEADERS, "Authorization": "Bearer nope"}),
        "invalid_request": county.client.post("/api/v1/push", json={"mutations": "x"}, headers=device),
        "bad_cursor": county.client.get("/api/v1/pull", params={"cursor": "!"}, headers=device),
        "unknown_table": county.client.get("/api/v1/snapshot", params={"table": "nope"}, headers=device),
        "forbidden": county.client.get("/api/v1/county/clinics", headers=device),
        "http_error": county.client.get("/api/v1/nowhere", headers=device),
        "unsupported_encoding": county.client.post(
            "/api/v1/push", content=b"{}", headers={**device, "Content-Encoding": "br"}
        ),
        "bad_gzip": county.client.post(
            "/api/v1/push", content=b"nope", headers={**device, "Content-Encoding": "gzip"}
        ),
    }
    for code, r in answers.items():
        assert r.status_code >= 400, (code, r.text)
        body = p.ErrorResponse.model_validate_json(r.content)
        assert body.error.code is p.Code(code), (code, r.text)


def test_push_results_read_their_status_and_code_as_members(county: County) -> None:
    device = county.enroll("A01")
    mutation = p.Mutation(mutation_id="m-1", table="drug", op=p.Op.UPSERT, row_id="d-1", base_version=0)
    r = county.client.post(
        "/api/v1/push",
        content=p.PushRequest(mutations=[mutation]).model_dump_json(),
        headers={**device, "Content-Type": "application/json"},
    )
    [result] = p.PushResponse.model_validate_json(r.content).results
    assert result.status is p.Status.REJECTED and result.code is p.Code.READ_ONLY


def test_a_code_this_client_does_not_know_still_reads_as_text() -> None:
    """A newer server's new rule must not make an older client refuse the whole answer (its outbox would wedge)."""
    result = p.MutationResult.model_validate(
        {"mutation_id": "m", "status": "rejected", "code": "from_the_future"}
    )
    assert result.code == "from_the_future" and not isinstance(result.code, p.Code)
    with pytest.raises(PydanticError):  # a status is the protocol's own: an unknown one is not protocol v1
        p.MutationResult.model_validate({"mutation_id": "m", "status": "maybe"})


# -- every code in the source is a member -----------------------------------------------------------------
# where a call names a code, the index of that argument (ServiceError and _error: the one after the status)
_CODE_ARGUMENT = {"ValidationError": 1, "_rejected": 1, "_conflict": 7}
_STATUS_THEN_CODE = {"ServiceError", "_error"}
# calls whose code is not a literal, each passing on a code made by one of the calls above
_PASSED_ON = {
    ("clinic_app/transfer.py", "e.rule"),
    ("clinic_app/chronic.py", "exc.rule"),  # measure()'s code, under a reading's column
    ("sync/server/app.py", "exc.code"),
    ("sync/server/app.py", "exc.rule"),
    ("sync/server/push.py", "errors[0].rule"),
    ("sync/server/push.py", "kind"),
    ("sync/server/push.py", "code"),  # _rejected's own parameter
    ("sync/server/accounts.py", "code"),  # _answer's own parameter (Code members)
    ("sync/server/reference.py", "problems[0].rule"),
    ("sync/server/reference.py", "rule or exc.rule"),  # a policy reader's code, or the one its row names
    ("clinic_app/visits.py", "exc.rule"),  # chronic.parse_icd's code, under the diagnosis
    ("clinic_app/chronic_cli.py", "error.rule"),  # the domain's code, under the option the person typed
    ("sync/server/records.py", "code"),  # the registry's row_problem (type, too_long, range, not_allowed)
    (
        "clinic_app/prescriptions.py",
        "f'excluded_{flag}'",
    ),  # each RULES §6 class (tests/test_prescription_rules.py)
}


def _codes_in_source() -> tuple[set[str], set[tuple[str, str]]]:
    codes: set[str] = set()
    passed_on: set[tuple[str, str]] = set()
    for root in ("clinic_app", "sync/server"):
        for path in sorted((ROOT / root).rglob("*.py")):
            where = path.relative_to(ROOT).as_posix()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = (
                    func.id
                    if isinstance(func, ast.Name)
                    else func.attr
                    if isinstance(func, ast.Attribute)
                    else ""
                )
                index = _CODE_ARGUMENT.get(name)
                if name in _STATUS_THEN_CODE:
                    status = [
                        i
                        for i, a in enumerate(node.args)
                        if isinstance(a, ast.Constant) and isinstance(a.value, int)
                    ]
                    index = status[0] + 1 if status else 1
                argument = node.args[index] if index is not None and len(node.args) > index else None
                if name == "MutationResult":
                    argument = next((k.value for k in node.keywords if k.arg == "code"), None)
                if argument is None:
                    continue
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    codes.add(argument.value)
                elif not ast.unparse(argument).startswith(("Code.", "p.Code.")):  # a member: a member
                    passed_on.add((where, ast.unparse(argument)))
    return codes, passed_on


def test_every_code_the_server_can_answer_is_a_member_of_the_enum() -> None:
    from clinic_app.registry import SET_ASIDE_RULES

    codes, passed_on = _codes_in_source()
    # what the registry's row_problem answers (records.RecordStore.validate passes it on)
    assert {"type", "too_long", "range", "not_allowed"} <= set(SET_ASIDE_RULES) & {c.value for c in p.Code}
    assert len(codes) > 60  # the scan finds the codes (ServiceError, rejections, every validation rule)
    assert codes - {c.value for c in p.Code} == set()
    assert passed_on <= _PASSED_ON, passed_on - _PASSED_ON


def test_the_scan_sees_a_new_code() -> None:
    """The scan is what holds the enum complete: it must notice a code that is not a member."""
    tree = ast.parse('raise ValidationError("field", "brand_new_rule", "message")')
    [call] = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert isinstance(call.args[1], ast.Constant) and call.args[1].value not in {c.value for c in p.Code}


# -- rows and the pull feed's fast path -------------------------------------------------------------------
def _stored(table: str, row: dict[str, Any], version: int, deleted: bool = False) -> Any:
    return SimpleNamespace(
        table_name=table,
        row_id=row.get("id", "r"),
        version=version,
        deleted_at="2026-01-01T00:00:00.000Z" if deleted else None,
        data=json.dumps(row, ensure_ascii=False, sort_keys=True),
    )


def _ordered(text: str) -> str:
    return json.dumps(json.loads(text), ensure_ascii=False)


def test_the_fast_path_writes_exactly_the_json_of_the_models() -> None:
    rows = [
        _stored(
            "resident", {"id": "r-1", "name": "张三", "needs_identity_check": 0, "note": 'a "quote"\n'}, 7
        ),
        _stored("audit_log", {"id": "a-1", "details": None}, 8, deleted=True),
        _stored("policy", {}, 9),
        _stored("audit_log", {"id": 'an "odd" id\\ 张'}, 10),  # an id the server would refuse, still JSON
    ]
    page = p.page_json(p.PullResponse, p.changes_json(rows), cursor="abc", has_more=True)
    as_model = p.PullResponse(
        changes=[
            p.Change(
                table=r.table_name,
                row_id=r.row_id,
                op=p.Op.DELETE if r.deleted_at else p.Op.UPSERT,
                version=r.version,
                row={"row_version": r.version, **json.loads(r.data)},
            )
            for r in rows
        ],
        cursor="abc",
        has_more=True,
    )
    # the same JSON, key for key in the same order; only the spacing inside a stored row is the store's own
    assert _ordered(page) == _ordered(as_model.model_dump_json())
    assert page.startswith('{"changes":[{"table":"resident","row_id":"r-1","op":"upsert","version":7,"row":{')
    snapshot = p.page_json(p.SnapshotResponse, p.changes_json(rows[:1]), after=None, has_more=False)
    assert _ordered(snapshot) == _ordered(
        p.SnapshotResponse(changes=as_model.changes[:1], after=None, has_more=False).model_dump_json()
    )
    assert (
        p.page_json(p.PullResponse, [], cursor="c", has_more=False)
        == '{"changes":[],"cursor":"c","has_more":false}'
    )


def test_a_page_envelope_is_checked_by_the_model() -> None:
    with pytest.raises(PydanticError):
        p.page_json(p.PullResponse, [], cursor=None, has_more=True)


def test_every_synced_table_has_a_row_model_from_the_registry() -> None:
    models = p.row_models()
    assert set(models) == {t.name for t in REGISTRY.tables if t.synced}
    for name, model in models.items():
        wire = {c.name for c in REGISTRY.table(name).wire_columns}
        assert set(model.model_fields) == wire | {"row_version"}, name
    resident = models["resident"]
    bad = {"id": "r", "clinic_id": "c", "created_at": "t", "updated_at": "t", "name": "x", "sex": "neither"}
    with pytest.raises(PydanticError, match="sex"):
        resident.model_validate(bad)


def test_pulled_rows_fit_their_row_model(county: County) -> None:
    """What the server actually sends fits the registry's shape of the table."""
    device = county.enroll("A01")
    [done] = push(county, device, mutation("resident", resident()))
    assert done["status"] == p.Status.APPLIED, done
    page = p.PullResponse.model_validate_json(county.client.get("/api/v1/pull", headers=device).content)
    assert {"clinic", "resident"} <= {c.table for c in page.changes}
    for change in page.changes:
        p.row_model(change.table).model_validate(change.row)


# -- the client reads the answers through the models -----------------------------------------------------
class _Answer:
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.status_code, self.content = status, json.dumps(body).encode()
        self.headers = headers or {}

    def json(self) -> Any:
        return json.loads(self.content)


class _Session:
    """Stands in for requests.Session: records each request, answers what the test says."""

    def __init__(self, *answers: _Answer) -> None:
        self.answers, self.sent = list(answers), []  # type: ignore[var-annotated]
        self.verify: Any = True

    def request(self, method: str, url: str, **kwargs: Any) -> _Answer:
        self.sent.append((method, url, kwargs))
        return self.answers.pop(0)


def _device(tmp_path: Path, *answers: _Answer) -> tuple[Any, Any, _Session]:
    from clinic_app import users
    from clinic_app.store import Store
    from sync.client import Client, save_token

    store, _ = Store.initialise(tmp_path / "pc.db", "LOCAL", "本地名", key_file=tmp_path / "pc.key")
    users.add_user(store, None, "admin", "clinic_admin", "a-long-password-1")
    save_token(store, "device-token")
    client = Client(store, "http://county.invalid")
    session = _Session(*answers)
    client.session = session  # type: ignore[assignment]
    return store, client, session


def _outbox(store: Any) -> int:
    return int(store.conn.execute("SELECT count(*) FROM outbox WHERE rejected_code IS NULL").fetchone()[0])


def test_the_client_sends_its_outbox_as_the_push_model_and_refuses_an_answer_outside_the_protocol(
    tmp_path: Path,
) -> None:
    from sync.client import Offline

    store, client, session = _device(
        tmp_path, _Answer(200, {"results": [{"mutation_id": "x", "status": "maybe"}]})
    )
    waiting = _outbox(store)
    assert waiting > 0
    with pytest.raises(Offline, match="not understood"):
        client.sync()
    [(method, url, sent)] = session.sent
    import gzip

    body = p.PushRequest.model_validate_json(gzip.decompress(sent["data"]))
    assert method == "POST" and url.endswith("/api/v1/push") and len(body.mutations) == waiting
    assert _outbox(store) == waiting  # nothing was taken for an answer the client could not read
    store.close()


def test_a_refusal_carries_the_code_as_a_member(tmp_path: Path) -> None:
    from sync.client import Refused

    store, client, _ = _device(
        tmp_path, _Answer(422, {"error": {"code": "format", "message": "period: a year"}})
    )
    with pytest.raises(Refused) as refused:
        client.lookup("11010519491231002X", "26")
    assert refused.value.code is p.Code.FORMAT and str(refused.value) == "period: a year"
    store.close()


def test_the_lookup_sends_the_id_number_in_the_body_and_a_throttle_reads_as_throttled(tmp_path: Path) -> None:
    from sync.client import Offline, Throttled

    refusal = {"error": {"code": "lookup_throttled", "message": "this device has asked the county 30 times"}}
    store, client, session = _device(
        tmp_path, _Answer(200, {"active_contract": False}), _Answer(429, refusal, {"Retry-After": "42"})
    )
    assert client.lookup("11010519491231002X", "2026")["active_contract"] is False
    [(method, url, sent)] = session.sent
    assert method == "POST" and url.endswith("/api/v1/residents/lookup") and "?" not in url
    assert p.LookupRequest.model_validate(sent["json"]).id_number == "11010519491231002X"
    with pytest.raises(Throttled) as throttled:
        client.lookup("11010519491231002X", "2026")
    assert throttled.value.code is p.Code.LOOKUP_THROTTLED and throttled.value.retry_after == 42
    assert isinstance(throttled.value, Offline), "a sync that meets a 429 backs off as before"
    store.close()
