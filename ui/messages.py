"""Domain error codes (field, rule) to translated messages. The domain speaks English to logs and the CLI;
the desktop shows the user's language."""

from __future__ import annotations

from collections.abc import Callable

from clinic_app.errors import ClinicError, DatabaseDamaged, DiskFull, ValidationError, ValidationErrors
from ui.i18n import tr as _t


def field_label(field: str) -> str:
    labels = {
        "name": _t("Name"),
        "id_number": _t("ID number"),
        "document_type": _t("Document type"),
        "document_number": _t("Document number"),
        "sex": _t("Sex"),
        "birth_date": _t("Birth date"),
        "phone": _t("Phone"),
        "village": _t("Village"),
        "household": _t("Household"),
        "relation_to_head": _t("Relation to head"),
        "note": _t("Note"),
        "village_id": _t("Village"),
        "household_id": _t("Household"),
        "user_id": _t("Made by"),
        "user": _t("Account"),
        "password_hash": _t("Password"),
        "fund_fen": _t("Paid by the fund"),
        "patient_fen": _t("Paid by the patient"),
    }
    return labels.get(field, field)


def rule_message(error: ValidationError) -> str:
    """A translated sentence for a validation error, specific where the rule is; the domain's own sentence
    for a rule this program does not know."""
    return rule_text(error) or error.message


def rule_text(error: ValidationError) -> str | None:
    """The translated sentence of a rule this program knows (by its code, field and details), else None."""
    rules = {
        "required": _t("Required."),
        "check_character": _t("The check character does not match (GB 11643): a digit is mistyped."),
        "birth_date_invalid": _t("The birth date in this ID number does not exist."),
        "birth_date_future": _t("The birth date in this ID number lies in the future."),
        "birth_date_too_old": _t("The birth date in this ID number gives an age over 130."),
        "length": _t("An ID number has 18 characters (15 for the old form)."),
        "province": _t("The first two digits name no province: a digit is mistyped."),
        "digits": _t("Type the number with the digits 0-9."),
        "disagrees_with_id": _t("Does not agree with the ID number."),
        "duplicate": _t("This ID number is registered already."),
        "other_village": _t("This household belongs to another village."),
        "needs_village": _t("A new household needs a village."),
        "future": _t("This date lies in the future."),
        "too_old": _t("This date gives an age over 130."),
        "date_format": _t("Write the date as 1990-12-31."),
        "unknown": _t("Not known in this clinic."),
        "not_entitled": _t(
            "Only a clinic administrator may make this account change (a password: that user)."
        ),
        "unknown_user": _t("Made by a user the county does not know in this clinic."),
    }
    formats = {
        "id_number": _t("17 digits followed by a digit or X."),
        "name": _t("1-40 Chinese or Latin letters."),
        "phone": _t("A mobile number has 11 digits (13x-19x); a landline 0xxx-xxxxxxx."),
        "document_number": _t("4-30 letters, digits or dashes."),
    }
    if error.rule == "format":
        return formats.get(error.field)
    if error.rule == "second_head":
        return (
            _t("Household %1 has a head already: %2. Change %2's relation to the head first.")
            .replace("%1", error.details.get("household", ""))
            .replace("%2", error.details.get("head", ""))
        )
    if error.rule == "duplicate" and (owner := error.details.get("registered_to")):
        return _t("This ID number is registered already, to %1.").replace("%1", owner)
    return rules.get(error.rule)


def error_text(error: BaseException, describe: Callable[[ValidationError], str], sep: str = "; ") -> str:
    """What a dialog shows for a failed action: each validation problem described in the user's language, the
    message of any other domain error; anything else is a bug and goes on up."""
    if isinstance(error, ValidationError | ValidationErrors):
        errors = error.errors if isinstance(error, ValidationErrors) else [error]
        return sep.join(describe(e) for e in errors)
    if (storage := storage_text(error)) is not None:
        return storage
    if isinstance(error, ClinicError):
        return str(error)
    raise error


def storage_text(error: BaseException) -> str | None:
    """A damaged database file or a full disk, in the user's language (None: neither)."""
    if isinstance(error, DatabaseDamaged):
        return (
            _t(
                "The clinic database file %1 is damaged (%2). Close Village Clinic and start it again: it offers "
                "the newest good backup, and keeps the damaged file aside."
            )
            .replace("%1", str(error.path))
            .replace("%2", damage_reason(error))
        )
    if isinstance(error, DiskFull):
        return (
            _t(
                "The disk is full (%1): nothing was saved. Free at least %2 on it (now %3 free) and try again."
            )
            .replace("%1", str(error.path))
            .replace("%2", megabytes(error.needed))
            .replace("%3", megabytes(error.free))
        )
    return None


def damage_reason(error: DatabaseDamaged) -> str:
    """What was found, in the user's language (the technical detail goes to the log and the CLI)."""
    reasons = {
        "first_page": _t("its first page cannot be read, although the key is right"),
        "schema": _t("its list of tables cannot be read"),
        "read": _t("a part of it could not be read"),
        "check": _t("the file check found damaged pages"),
    }
    return reasons.get(error.reason, error.detail)


def megabytes(size: int) -> str:
    return f"{max(size, 0) / 1e6:,.1f} MB"
