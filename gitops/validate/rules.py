"""SC (schema) and AV (API versions): what the validator reports, as rule records.

The validator's engines find these problems (they are not checks over single objects), so each
check function returns nothing; the records give every finding a stable code, a name, a
severity, documentation and a SARIF descriptor, like the linter's rules.
"""

from __future__ import annotations

from gitops.findings import Severity
from gitops.rules.registry import Rule, reported_rule
from gitops.validate.messages import INVALID_VALUE, MISSING_FIELD, UNKNOWN_FIELD

SCHEMA = "schema"
API_VERSIONS = "api-versions"


def _validator_rule(code: str, name: str, family: str, severity: Severity, doc: str) -> Rule:
    return reported_rule(code, name, doc, family=family, severity=severity, engine="validate")


unknown_field = _validator_rule(
    "SC001",
    UNKNOWN_FIELD,
    SCHEMA,
    Severity.ERROR,
    """A field is not part of its kind's schema, usually a typo such as replica or contianers.

    Why: The API server rejects unknown fields under kubectl's default strict field validation,
    so the sync fails; where they are pruned instead, the setting silently never applies.
    Fix: Rename the field to the one the schema defines (the message suggests the nearest), or
    remove it; for rendered files, fix the construct or overlay that sets it.
    """,
)
invalid_field_value = _validator_rule(
    "SC002",
    INVALID_VALUE,
    SCHEMA,
    Severity.ERROR,
    """A value has the wrong type, format or range for its field.

    Why: The API server refuses the whole object (a string where an integer belongs, a
    malformed quantity such as 1.5.0, a value outside an enum), so the sync fails.
    Fix: Give the field a value of the type and form the message names.
    """,
)
missing_required_field = _validator_rule(
    "SC003",
    MISSING_FIELD,
    SCHEMA,
    Severity.ERROR,
    """A field that the schema requires is missing.

    Why: The API server refuses an object without its required fields (a Deployment without a
    selector, a container without a name), so the sync fails.
    Fix: Add the field the message names.
    """,
)
missing_schema = _validator_rule(
    "SC004",
    "missing-schema",
    SCHEMA,
    Severity.ERROR,
    """No schema is known for an object's apiVersion and kind, so it cannot be validated.

    Why: Either the kind does not exist in the target cluster at this apiVersion (the sync
    fails with "no matches for kind"), or its CRD is unknown to the validator and the object
    goes unchecked.
    Fix: Use an apiVersion the target version serves, or give the validator the CRD
    ([tool.gitops.validate] crds or schema_dirs); --ignore-missing-schemas makes this a warning.
    """,
)
unusable_schema = _validator_rule(
    "SC005",
    "unusable-schema",
    SCHEMA,
    Severity.ERROR,
    """A schema from a CRD or a schema directory cannot be used to validate objects.

    Why: The objects of that kind go unchecked, and a CRD whose schema does not compile is
    usually rejected by the API server too.
    Fix: Correct the CRD's openAPIV3Schema or the schema file the message names.
    """,
)
removed_api_version = _validator_rule(
    "AV001",
    "removed-api-version",
    API_VERSIONS,
    Severity.ERROR,
    """An object uses an apiVersion that the target Kubernetes version no longer serves.

    Why: The API server rejects the object (no matches for kind), so the sync of the whole app
    fails after a cluster upgrade, often long after the manifest last changed.
    Fix: Move the object to the replacement apiVersion the message names, adjusting fields that
    changed between versions.
    """,
)
deprecated_api_version = _validator_rule(
    "AV002",
    "deprecated-api-version",
    API_VERSIONS,
    Severity.WARNING,
    """An object uses an apiVersion that is deprecated in the target Kubernetes version.

    Why: A deprecated apiVersion is removed in a later release; migrating before the upgrade
    avoids a failed sync on upgrade day.
    Fix: Move the object to the replacement apiVersion the message names.
    """,
)

RULES = (
    unknown_field,
    invalid_field_value,
    missing_required_field,
    missing_schema,
    unusable_schema,
    removed_api_version,
    deprecated_api_version,
)
BY_NAME = {r.name: r for r in RULES}
