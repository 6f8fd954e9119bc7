"""Test-only: Python imports this at start-up when tests/iam_site is on PYTHONPATH (tests/iam_policy.py's
``hook_environment``); a posapp subprocess then gets AWS's refusal for every vault call outside
the IAM policies the environment names. Nothing here ships: tests/ is not packaged."""

import os

if os.environ.get("IAM_POLICY_HOOK"):
    import iam_policy

    iam_policy.install_from_environment(os.environ)
