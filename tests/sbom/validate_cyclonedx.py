"""Validates a CycloneDX 1.6 JSON document with cyclonedx-python-lib's strict
JSON-schema validator (the CycloneDX project's own schema, additional properties
refused). Usage: validate_cyclonedx.py FILE. Exit 0 if valid, 1 with the errors if not,
2 if the validator is not installed."""

import sys


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: validate_cyclonedx.py FILE", file=sys.stderr)
        return 2
    try:
        from cyclonedx.schema import SchemaVersion
        from cyclonedx.validation.json import JsonStrictValidator
    except ImportError as e:
        print(f"cyclonedx-python-lib[json-validation] is not installed: {e}", file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    validator = JsonStrictValidator(SchemaVersion.V1_6)
    try:
        errors = validator.validate_str(text, all_errors=True)
    except TypeError:  # releases before `all_errors`
        errors = validator.validate_str(text)
    if errors is not None and not hasattr(errors, "data"):
        errors = list(errors)  # all_errors=True gives an iterable of errors
    elif errors is not None:
        errors = [errors]
    if errors:
        for e in errors:
            print(f"INVALID: {getattr(e, 'data', e)}", file=sys.stderr)
        return 1
    import cyclonedx

    print(f"valid CycloneDX 1.6 (strict schema, cyclonedx-python-lib "
          f"{getattr(cyclonedx, '__version__', '?')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
