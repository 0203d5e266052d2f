#!/bin/bash
# lava_schema.sh - ci/lava/isolat.yaml (test definition) and
# ci/lava/job-board.yaml (a sample job) against Debian's lava-common
# schemas, offline (ci/lava/validate.py); and a broken copy of each is
# refused, so the check is not vacuous.  SKIP when lava-common is not
# installed (apt-get install lava-common).
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
V=$TOP/ci/lava/validate.py
if ! "$PY" -c 'import lava_common.schemas, yaml' 2>/dev/null; then
	skip "LAVA schemas" "lava-common not installed for $PY (apt-get install lava-common)"
	exit 0
fi
out=$("$PY" "$V" "$TOP/ci/lava/isolat.yaml" "$TOP/ci/lava/job-board.yaml" 2>&1)
check "test definition and sample job valid against lava-common" [ $? -eq 0 ]
echo "$out" | sed 's/^/# /'
sed 's/^  format: Lava-Test Test Definition 1.0/  format: Lava-Test 2/' "$TOP/ci/lava/isolat.yaml" > "$T/bad-def.yaml"
"$PY" "$V" "$T/bad-def.yaml" "$TOP/ci/lava/job-board.yaml" >/dev/null 2>&1
check "a definition with a wrong format line is refused (exit 1)" [ $? -eq 1 ]
{ cat "$TOP/ci/lava/job-board.yaml"; echo "no_such_key: 1"; } > "$T/bad-job.yaml"
"$PY" "$V" "$TOP/ci/lava/isolat.yaml" "$T/bad-job.yaml" >/dev/null 2>&1
check "a job with an unknown key is refused (exit 1)" [ $? -eq 1 ]
sed 's/    method: u-boot/    method: no-such-boot/' "$TOP/ci/lava/job-board.yaml" > "$T/bad-boot.yaml"
"$PY" "$V" "$TOP/ci/lava/isolat.yaml" "$T/bad-boot.yaml" >/dev/null 2>&1
check "a job with an unknown boot method is refused (exit 1)" [ $? -eq 1 ]
