#!/usr/bin/env python3
"""Prints the closing line of a test run from meson's testlog.json files
(several runs add up): 'N passed, N failed' (with ', N skipped' when any
were). Exits 1 when a test failed or none ran; a missing log is a failure."""
import json
import os
import sys

passed = failed = skipped = 0
for path in sys.argv[1:]:
    run = os.path.basename(path).replace('testlog', '').strip('-.json') or 'sanitizers'
    if not os.path.exists(path):
        print('FAILED: no test log %s' % path)
        failed += 1
        continue
    with open(path, encoding='utf-8') as log:
        for line in log:
            test = json.loads(line)
            if test['result'] in ('OK', 'EXPECTEDFAIL'):
                passed += 1
            elif test['result'] == 'SKIP':
                skipped += 1
            else:
                failed += 1
                print('FAILED: %s (%s)' % (test['name'], run))
summary = '%d passed, %d failed' % (passed, failed)
if skipped:
    summary += ', %d skipped' % skipped
print(summary)
sys.exit(1 if failed or not passed else 0)
