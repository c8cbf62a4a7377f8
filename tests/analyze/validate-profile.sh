#!/bin/sh
# validate-profile.sh: checks cprof JSON profiles against the JSON Schema (doc/profile.schema.json).
# Usage: validate-profile.sh SCHEMA PROFILE...
# Exit 0 when every profile is valid; 1 with one message per problem otherwise; 2 on usage errors
# or when the checker itself cannot run. Uses Debian's /usr/bin/python3 (it has jsonschema; the
# python3 first on PATH may not).
set -u
PYTHON=${CPROF_VALIDATE_PYTHON:-/usr/bin/python3}

if [ $# -lt 2 ]; then
    echo "usage: validate-profile.sh SCHEMA PROFILE..." >&2
    exit 2
fi
if [ ! -x "$PYTHON" ]; then
    echo "validate-profile.sh: $PYTHON not found (needs python3 with the jsonschema module)" >&2
    exit 2
fi

exec "$PYTHON" -c '
import json, sys
try:
    import jsonschema
except ImportError:
    sys.stderr.write("validate-profile.sh: the python module jsonschema is missing (apt install python3-jsonschema)\n")
    sys.exit(2)

def load(path, what):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as e:
        raise SystemExit("validate-profile.sh: %s: cannot read %s: %s" % (path, what, e.strerror))
    except (ValueError, UnicodeDecodeError) as e:
        raise SystemExit("validate-profile.sh: %s: %s is not valid JSON: %s" % (path, what, e))

schema_path = sys.argv[1]
schema = load(schema_path, "the schema")
try:
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
except jsonschema.exceptions.SchemaError as e:
    sys.stderr.write("validate-profile.sh: %s: not a valid JSON Schema: %s\n" % (schema_path, e.message))
    sys.exit(2)
validator = cls(schema)

failed = 0
for path in sys.argv[2:]:
    try:
        doc = load(path, "the profile")
    except SystemExit as e:
        sys.stderr.write(str(e) + "\n")
        failed += 1
        continue
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errors[:20]:
        where = "".join("[%d]" % p if isinstance(p, int) else "." + str(p) for p in e.absolute_path)
        sys.stderr.write("validate-profile.sh: %s: %s: %s\n" % (path, where.lstrip(".") or "(top level)", e.message))
    if len(errors) > 20:
        sys.stderr.write("validate-profile.sh: %s: ... and %d more problems\n" % (path, len(errors) - 20))
    if errors:
        failed += 1
sys.exit(1 if failed else 0)
' "$@"
