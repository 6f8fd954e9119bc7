"""``posapp doctor --pci [--json]``: the PCI DSS self-check, one aligned line per check or one JSON document."""

from __future__ import annotations

from typing import TextIO

from posapp.cli.output import for_terminal, print_json
from posapp.errors import ExitCode


def doctor_pci(services, args, out: TextIO) -> int:
    """Print each check's requirement, name, PASS/WARN/FAIL and evidence as it comes (``--json``: one
    document ``{"checks": [{requirement, check, status, evidence}, …]}`` at the end). Returns
    INTEGRITY when a check FAILs (a backend that cannot be asked fails its check), else OK."""
    from posapp import pci

    findings = []
    width = max(len(name) for _, name, _ in pci.CHECKS)
    for finding in pci.run(services):
        findings.append(finding)
        if not args.json:
            print(f"{finding.requirement:<8} {finding.check:<{width}}  {finding.status.value}  "
                  f"{for_terminal(finding.evidence)}", file=out, flush=True)
    if args.json:
        print_json(out, {"checks": [{"requirement": finding.requirement, "check": finding.check,
                                     "status": finding.status.value, "evidence": finding.evidence}
                                    for finding in findings]})
    failed = any(finding.status is pci.Status.FAIL for finding in findings)
    return ExitCode.INTEGRITY if failed else ExitCode.OK
