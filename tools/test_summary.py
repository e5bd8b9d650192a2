#!/usr/bin/env python3
"""Prints the closing line of a test run from meson's testlog.json:
'N passed, N failed' (with ', N skipped' when any were). Exits 1 when a test
failed or none ran."""
import json
import sys

passed = failed = skipped = 0
with open(sys.argv[1], encoding='utf-8') as log:
    for line in log:
        result = json.loads(line)['result']
        if result in ('OK', 'EXPECTEDFAIL'):
            passed += 1
        elif result == 'SKIP':
            skipped += 1
        else:
            failed += 1
            print('FAILED: %s' % json.loads(line)['name'])
summary = '%d passed, %d failed' % (passed, failed)
if skipped:
    summary += ', %d skipped' % skipped
print(summary)
sys.exit(1 if failed or not passed else 0)
