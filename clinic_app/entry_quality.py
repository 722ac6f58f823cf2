"""Entry quality for the clinic admin (issue 12 point 8): signs that follow-up readings were written without being
measured. Four checks, each a pure function over rows of the live (not superseded) follow-ups whose visit_date
lies in the period's calendar year; ``build`` reads those rows and runs them. "The doctor" of a visit is the user
who recorded it (``created_by``). A flag is a reason to look at the paper records with the doctor, not a verdict.

1. Terminal digits (``digit_check``). Each typed BP reading (``sbp_1``, ``dbp_1``, ``sbp_2``, ``dbp_2``) is one
   trial; a measured reading ends in 0 or 5 with probability 2/10 = 20 % (``CHANCE_SHARE``), a guessed one far more
   often. Per doctor, with n readings of which k end in 0 or 5, the one-sided exact binomial test gives
   p = P(X ≥ k) for X ~ Binomial(n, 0.2), summed in log space (``binomial_tail``; no normal approximation, no
   scipy). Flagged when all three hold: n ≥ ``entry_quality.digit_min_readings`` (policy, default 30: fewer say
   nothing), p < ``ALPHA`` = 0.001 (a statistical constant: about one honest doctor in a thousand flagged by chance)
   and k/n ≥ ``entry_quality.digit_min_share_pct`` (policy, default 40 %: the effect size, so that a doctor with
   thousands of readings and a mild 23 % preference — significant, but rounding habits — is not flagged).
   The readings of one patient are not independent trials; the effect-size floor keeps that from mattering.
2. Identical readings (``identical_runs``): a patient's visits for one disease, in visit order, that have a BP
   reading; ``entry_quality.identical_run`` (policy, default 3) or more in a row with exactly the same SBP, DBP
   and fasting glucose are flagged (two equal readings in a row happen to honest doctors about once in 600 pairs;
   three about once in 400,000).
3. Bursts (``bursts``): face-to-face visits (clinic or home) recorded on the day they are dated, the entries of
   one doctor sorted by ``created_at``: when ``entry_quality.burst_visits`` (policy, default 6) visits of as many
   different patients fall within ``entry_quality.burst_minutes`` (policy, default 10), each visit of that window
   is flagged — nobody measures six patients face to face in ten minutes. Typing in a day's paper forms later is
   not a burst: those visits are dated before the day they were recorded.
4. Lonely days (``lonely_days``): a visit recorded on a later day than it is dated, on a visit day when its doctor
   left no other trace — no other live visit dated that day, and no row of any kind (resident, contract,
   registration, follow-up, referral, audit log) created or changed by that doctor that day. A visit recorded the
   day it is dated is never lonely: its own entry is the trace.

Corrections (a row that supersedes another) are left out of checks 3 and 4: they are made later by nature.
Days are the clinic's local days (``utc_offset_minutes``, by default the machine's offset).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from clinic_app.db import Connection
from clinic_app.digits import county_whole, report_year

CHANCE_SHARE = 0.2  # 0 and 5 are 2 of the 10 possible last digits of a measured reading
ALPHA = 0.001  # significance of the one-sided binomial test (a statistical constant, not a county's choice)
POLICY_DEFAULTS: dict[str, int] = {
    "entry_quality.digit_min_readings": 30,  # fewer readings than this: the digit test says nothing
    "entry_quality.digit_min_share_pct": 40,  # share ending in 0 or 5 below this is never flagged
    "entry_quality.identical_run": 3,  # this many visits in a row with the same reading
    "entry_quality.burst_visits": 6,  # this many face-to-face visits of different patients …
    "entry_quality.burst_minutes": 10,  # … recorded within this many minutes
}
POLICY_RANGES: dict[str, tuple[int, int]] = {
    "entry_quality.digit_min_readings": (1, 100_000),
    "entry_quality.digit_min_share_pct": (21, 100),
    "entry_quality.identical_run": (2, 50),
    "entry_quality.burst_visits": (2, 500),
    "entry_quality.burst_minutes": (1, 1440),
}
READING_COLUMNS = ("sbp_1", "dbp_1", "sbp_2", "dbp_2")
FACE_TO_FACE = ("clinic", "home")
REASONS = ("identical", "burst", "lonely")


# -- thresholds ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Thresholds:
    digit_min_readings: int = POLICY_DEFAULTS["entry_quality.digit_min_readings"]
    digit_min_share_pct: int = POLICY_DEFAULTS["entry_quality.digit_min_share_pct"]
    identical_run: int = POLICY_DEFAULTS["entry_quality.identical_run"]
    burst_visits: int = POLICY_DEFAULTS["entry_quality.burst_visits"]
    burst_minutes: int = POLICY_DEFAULTS["entry_quality.burst_minutes"]
    alpha: float = ALPHA
    chance_share: float = CHANCE_SHARE


def policy_number(key: str, text: str | None) -> int:
    """The county's value of an entry-quality key (the default while it has set none)."""
    return county_whole(key, text, POLICY_DEFAULTS[key], *POLICY_RANGES[key])


def thresholds(conn: Connection, on: dt.date) -> Thresholds:
    from clinic_app.contracts import policy_value

    values = {key: policy_number(key, policy_value(conn, key, on)) for key in POLICY_DEFAULTS}
    return Thresholds(**{key.removeprefix("entry_quality."): value for key, value in values.items()})


def parse_period(text: Any) -> int:
    """A report's period: a calendar year 2000-2100 (of the visit dates)."""
    return report_year(text)


# -- 1. terminal digits -------------------------------------------------------------------------------------------
def binomial_tail(k: int, n: int, p: float) -> float:
    """P(X ≥ k) for X ~ Binomial(n, p), exact: the terms C(n,i)·pⁱ·(1−p)ⁿ⁻ⁱ for i = k … n summed in log space."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    log_p, log_q = math.log(p), math.log1p(-p)
    logs = [
        math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q
        for i in range(k, n + 1)
    ]
    top = max(logs)
    return min(1.0, math.exp(top) * math.fsum(math.exp(x - top) for x in logs))


@dataclass(frozen=True)
class DigitResult:
    readings: int  # n: typed SBP and DBP readings
    ending_0_5: int  # k
    share: float  # k / n (0 when n is 0)
    p_value: float  # one-sided exact binomial, H0: share = 20 %
    flagged: bool


def digit_check(readings: Iterable[int], limits: Thresholds = Thresholds()) -> DigitResult:
    values = [int(v) for v in readings]
    n = len(values)
    k = sum(1 for v in values if v % 5 == 0)
    share = k / n if n else 0.0
    p = binomial_tail(k, n, limits.chance_share) if n else 1.0
    flagged = (
        n >= limits.digit_min_readings and p < limits.alpha and share * 100 >= limits.digit_min_share_pct
    )
    return DigitResult(n, k, share, p, flagged)


def typed_readings(row: Mapping[str, Any]) -> list[int]:
    return [int(row[c]) for c in READING_COLUMNS if row.get(c) is not None]


# -- 2. identical readings -----------------------------------------------------------------------------------------
def _reading(row: Mapping[str, Any]) -> tuple[Any, ...] | None:
    if row.get("sbp") is None or row.get("dbp") is None:
        return None
    return (int(row["sbp"]), int(row["dbp"]), row.get("fasting_glucose"))


def _visit_order(row: Mapping[str, Any]) -> tuple[str, str, str]:
    return (str(row["visit_date"]), str(row["created_at"]), str(row["id"]))


def identical_runs(visits: Iterable[Mapping[str, Any]], limits: Thresholds = Thresholds()) -> dict[str, int]:
    """The visits in a run of identical readings: visit id → the length of its run."""
    by_patient: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for row in visits:
        if _reading(row) is not None:
            by_patient[(row["resident_id"], row["disease"])].append(row)
    flagged: dict[str, int] = {}
    for rows in by_patient.values():
        rows.sort(key=_visit_order)
        start = 0
        for end in range(1, len(rows) + 1):
            if end < len(rows) and _reading(rows[end]) == _reading(rows[start]):
                continue
            if end - start >= limits.identical_run:
                flagged.update((str(r["id"]), end - start) for r in rows[start:end])
            start = end
    return flagged


# -- 3. bursts -----------------------------------------------------------------------------------------------------
def _moment(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def local_day(stamp: str, utc_offset_minutes: int) -> str:
    return (_moment(stamp) + dt.timedelta(minutes=utc_offset_minutes)).date().isoformat()


def bursts(
    visits: Iterable[Mapping[str, Any]], limits: Thresholds = Thresholds(), utc_offset_minutes: int = 0
) -> dict[str, int]:
    """The visits in a burst: visit id → the most visits of different patients in one window it lies in."""
    by_doctor: dict[str, list[tuple[dt.datetime, Mapping[str, Any]]]] = defaultdict(list)
    for row in visits:
        if row["visit_mode"] not in FACE_TO_FACE or row.get("supersedes"):
            continue
        if local_day(row["created_at"], utc_offset_minutes) != row["visit_date"]:
            continue
        by_doctor[str(row["created_by"])].append((_moment(row["created_at"]), row))
    window = dt.timedelta(minutes=limits.burst_minutes)
    flagged: dict[str, int] = {}
    for entries in by_doctor.values():
        entries.sort(key=lambda e: (e[0], str(e[1]["id"])))
        end = 0
        for start in range(len(entries)):  # the window [start's time, start's time + M minutes]
            end = max(end, start)
            while end + 1 < len(entries) and entries[end + 1][0] - entries[start][0] <= window:
                end += 1
            inside = entries[start : end + 1]
            patients = len({r["resident_id"] for _, r in inside})
            if patients >= limits.burst_visits:
                for _, r in inside:
                    flagged[str(r["id"])] = max(flagged.get(str(r["id"]), 0), patients)
    return flagged


# -- 4. lonely days ------------------------------------------------------------------------------------------------
def lonely_days(
    visits: Iterable[Mapping[str, Any]], activity: set[tuple[str, str]], utc_offset_minutes: int = 0
) -> dict[str, str]:
    """Visits dated on a day their doctor left no other trace: visit id → the local day it was recorded.
    ``activity``: the (user id, local day) pairs on which a user created or changed any row."""
    rows = list(visits)
    dated: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        dated[(str(row["created_by"]), str(row["visit_date"]))] += 1
    flagged: dict[str, str] = {}
    for row in rows:
        if row.get("supersedes"):
            continue
        doctor, day = str(row["created_by"]), str(row["visit_date"])
        recorded = local_day(row["created_at"], utc_offset_minutes)
        if recorded > day and dated[(doctor, day)] == 1 and (doctor, day) not in activity:
            flagged[str(row["id"])] = recorded
    return flagged


# -- the report ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DoctorQuality:
    user_id: str
    username: str
    display_name: str
    visits: int
    readings: int
    ending_0_5: int
    share: float
    p_value: float
    digits_flagged: bool
    identical: int  # flagged visits of each check
    burst: int
    lonely: int

    @property
    def flagged(self) -> bool:
        return self.digits_flagged or bool(self.identical or self.burst or self.lonely)


@dataclass(frozen=True)
class FlaggedVisit:
    followup_id: str
    resident_id: str
    name: str
    disease: str
    visit_date: str
    visit_mode: str
    doctor_id: str
    doctor: str  # display name
    sbp: int | None
    dbp: int | None
    fasting_glucose: str | None
    recorded_at: str
    reasons: tuple[str, ...]  # of REASONS
    run: int | None = None  # identical: visits in the run
    burst: int | None = None  # burst: patients within the minutes
    recorded_on: str | None = None  # lonely: the local day it was recorded


@dataclass(frozen=True)
class EntryQualityReport:
    period: int
    thresholds: Thresholds
    doctors: list[DoctorQuality] = field(default_factory=list)
    visits: list[FlaggedVisit] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "thresholds": asdict(self.thresholds),
            "doctors": [{**asdict(d), "flagged": d.flagged} for d in self.doctors],
            "flagged_visits": [{**asdict(v), "reasons": list(v.reasons)} for v in self.visits],
        }


def p_text(p: float) -> str:
    """A p-value as a report prints it, without exponents: two significant digits, below 0.000001 a bound."""
    if p < 1e-6:
        return "<0.000001"
    return f"{p:.6f}".rstrip("0") if p < 0.001 else f"{p:.2g}"


def local_offset_minutes() -> int:
    offset = dt.datetime.now().astimezone().utcoffset() or dt.timedelta()
    return int(offset.total_seconds() // 60)


def period_visits(conn: Connection, clinic_id: str, year: int) -> list[dict[str, Any]]:
    """The live follow-ups dated in the year, with the patient's name."""
    from clinic_app.chronic_records import LIVE

    return [
        dict(r)
        for r in conn.execute(
            f"""SELECT f.id, f.resident_id, f.disease, f.visit_date, f.visit_mode, f.sbp_1, f.dbp_1, f.sbp_2,
                       f.dbp_2, f.sbp, f.dbp, f.fasting_glucose, f.created_at, f.created_by, f.supersedes,
                       r.name
                FROM followup f JOIN resident r ON r.id = f.resident_id
                WHERE f.clinic_id = ? AND f.visit_date >= ? AND f.visit_date <= ? AND f.deleted_at IS NULL
                  AND {LIVE.format(f="f")}""",
            (clinic_id, f"{year}-01-01", f"{year}-12-31"),
        )
    ]


ACTIVITY_TABLES = ("resident", "contract", "disease_registration", "followup", "referral", "audit_log")


def activity_days(
    conn: Connection, clinic_id: str, days: Sequence[str], utc_offset_minutes: int
) -> set[tuple[str, str]]:
    """(user id, local day) of every row created or changed on one of ``days`` (ISO dates)."""
    if not days:
        return set()
    first = dt.date.fromisoformat(min(days)) - dt.timedelta(days=1)
    last = dt.date.fromisoformat(max(days)) + dt.timedelta(days=2)
    shift = f"{utc_offset_minutes:+d} minutes"
    wanted = set(days)
    found: set[tuple[str, str]] = set()
    for table in ACTIVITY_TABLES:
        stamps = (
            (("created_by", "created_at"),)
            if table == "audit_log"
            else (
                ("created_by", "created_at"),
                ("updated_by", "updated_at"),
            )
        )
        for who, when in stamps:
            for user, day in conn.execute(
                f"SELECT DISTINCT {who}, date({when}, ?) FROM {table} "
                f"WHERE clinic_id = ? AND {when} >= ? AND {when} < ? AND {who} IS NOT NULL",
                (shift, clinic_id, first.isoformat(), last.isoformat()),
            ):
                if day in wanted:
                    found.add((str(user), str(day)))
    return found


def build(
    conn: Connection, clinic_id: str, year: int, utc_offset_minutes: int | None = None
) -> EntryQualityReport:
    year = parse_period(year)
    offset = local_offset_minutes() if utc_offset_minutes is None else utc_offset_minutes
    limits = thresholds(conn, dt.date(year, 12, 31))
    visits = period_visits(conn, clinic_id, year)
    same = identical_runs(visits, limits)
    burst = bursts(visits, limits, offset)
    # only visits recorded after their day can be lonely: the activity of those days is all that is read
    late = sorted({v["visit_date"] for v in visits if local_day(v["created_at"], offset) > v["visit_date"]})
    lonely = lonely_days(visits, activity_days(conn, clinic_id, late, offset), offset)
    users = {
        str(r["id"]): (str(r["username"]), str(r["display_name"]))
        for r in conn.execute(
            'SELECT id, username, display_name FROM "user" WHERE clinic_id = ?', (clinic_id,)
        )
    }
    by_doctor: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for v in visits:
        by_doctor[str(v["created_by"])].append(v)
    doctors = []
    for doctor_id, rows in by_doctor.items():
        digits = digit_check((x for r in rows for x in typed_readings(r)), limits)
        ids = {str(r["id"]) for r in rows}
        username, display = users.get(doctor_id, (doctor_id, doctor_id))
        doctors.append(
            DoctorQuality(
                doctor_id,
                username,
                display,
                len(rows),
                digits.readings,
                digits.ending_0_5,
                digits.share,
                digits.p_value,
                digits.flagged,
                len(ids & same.keys()),
                len(ids & burst.keys()),
                len(ids & lonely.keys()),
            )
        )
    doctors.sort(key=lambda d: (not d.flagged, d.p_value, d.username))
    found: tuple[Mapping[str, Any], ...] = (same, burst, lonely)
    flagged = []
    for v in sorted(visits, key=lambda r: (r["visit_date"], r["name"], r["id"])):
        vid = str(v["id"])
        reasons = tuple(reason for reason, hits in zip(REASONS, found, strict=True) if vid in hits)
        if not reasons:
            continue
        flagged.append(
            FlaggedVisit(
                vid,
                str(v["resident_id"]),
                str(v["name"]),
                str(v["disease"]),
                str(v["visit_date"]),
                str(v["visit_mode"]),
                str(v["created_by"]),
                users.get(str(v["created_by"]), ("", str(v["created_by"])))[1],
                v["sbp"],
                v["dbp"],
                v["fasting_glucose"],
                str(v["created_at"]),
                reasons,
                run=same.get(vid),
                burst=burst.get(vid),
                recorded_on=lonely.get(vid),
            )
        )
    return EntryQualityReport(year, limits, doctors, flagged)
