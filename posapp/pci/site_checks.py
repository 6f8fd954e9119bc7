"""Checks of how the till is reached and used: TLS to the order database (4.2.1), the idle
lock (8.2.8) and the audit journal (10.3.2)."""

from __future__ import annotations

import ipaddress
import urllib.parse

from posapp.app import Services
from posapp.config_checks import IDLE_LOCK_MAX_MINUTES
from posapp.pci.base import Status, counted


def orders_tls(services: Services) -> tuple[Status, str]:
    """PASS for a local SQLite file, a server on this computer, or TLS checked against ``[orders]
    ssl_ca`` (certificate and host name); FAIL for a server over the network without it."""
    if not services.shared_orders:
        return Status.PASS, "the order history is a SQLite file on this till: no network"
    url = urllib.parse.urlsplit(services.orders.display_url)
    host = url.hostname or "localhost"
    ca = services.safeguards.orders_ca
    if ca:
        return Status.PASS, f"TLS to {host}, its certificate and host name checked against {ca}"
    if _this_computer(host):
        return Status.PASS, f"the MySQL server is on this computer ({host}): nothing crosses a network"
    return Status.FAIL, (f"the MySQL server {host} is reached without TLS checked against a CA: set "
                         "[orders] ssl_ca to the CA bundle that signed its certificate")


def _this_computer(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def idle_lock(services: Services) -> tuple[Status, str]:
    """PASS when the window locks after at most 15 idle minutes (``[access] idle_lock_minutes``)."""
    minutes = services.idle_lock_minutes
    setting = f"[access] idle_lock_minutes = {minutes}"
    if minutes > IDLE_LOCK_MAX_MINUTES:
        return Status.FAIL, f"{setting}: an idle window must lock within {IDLE_LOCK_MAX_MINUTES} minutes"
    return Status.PASS, f"{setting}: the window locks after {counted(minutes, 'idle minute')}"


def journal(services: Services) -> tuple[Status, str]:
    """PASS when every journal chain this till holds the key of verifies, as ``posapp audit verify``."""
    reports = services.verify_journal()
    broken = [report for report in reports if not report.whole]
    if broken:
        return Status.FAIL, "; ".join(f"the journal of {report.workstation} is broken at entry {report.broken_at}: "
                                      f"{report.reason}" for report in broken)
    entries = sum(report.verified for report in reports)
    scope = " (this till's own: its audit key is its own)" if services.vault_is_this_tills_own else ""
    return Status.PASS, f"{counted(len(reports), 'chain')}{scope}, {counted(entries, 'entry', 'entries')} verified"
