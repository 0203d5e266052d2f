#!/usr/bin/python3
"""validate.py DEF.yaml JOB.yaml - check a LAVA test definition and a job
with Debian's lava-common schemas (lava_common.schemas: the voluptuous
schema lava-server applies when a job is submitted, and the test
definition schema).  Offline; exit 0 valid, 1 invalid, 3 lava-common
missing (apt-get install lava-common)."""
import sys

try:
    import yaml
    from lava_common.schemas import validate as validate_job
    from lava_common.schemas.test.testdef import validate as validate_def
    from lava_common.version import __version__ as lava_version
    from voluptuous import Invalid
except ImportError as exc:
    print("lava-common not importable (%s): apt-get install lava-common" % exc,
          file=sys.stderr)
    sys.exit(3)

rc = 0
for path, fn, what in ((sys.argv[1], validate_def, "test definition"),
                       (sys.argv[2], lambda d: validate_job(d, strict=True),
                        "job (strict)")):
    with open(path) as f:
        data = yaml.safe_load(f)
    try:
        fn(data)
        print("%s: valid %s (lava-common %s)" % (path, what, lava_version))
    except Invalid as exc:
        print("%s: invalid %s: %s at %s" % (path, what, exc.msg,
              "/".join(str(p) for p in exc.path)), file=sys.stderr)
        rc = 1
sys.exit(rc)
