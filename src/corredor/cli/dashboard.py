"""`corredor dashboard`: serve the web dashboard (Streamlit) on localhost, offline."""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys

import typer

from corredor.cli.app import app, console, err_console
from corredor.errors import CorredorError

LOCAL_HOSTS = ("localhost",)


def streamlit_command(host: str, port: int) -> list[str]:
    """The `streamlit run` command serving the dashboard: headless, no usage statistics,
    no file watching, bound to `host`."""
    from corredor.dashboard import APP

    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--browser.serverAddress",
        host,
        "--server.fileWatcherType",
        "none",
        "--server.runOnSave",
        "false",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "minimal",
        "--theme.base",
        "light",
    ]


def is_local(host: str) -> bool:
    """True for loopback addresses and 'localhost'."""
    if host in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_port(host: str, port: int) -> None:
    """A CorredorError naming --port when the port is out of range or already taken."""
    if not 1 <= port <= 65535:
        raise CorredorError(
            f"{port} is not a port number", field="--port", fix="use 1-65535, e.g. 8501"
        )
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except socket.gaierror:
            raise CorredorError(
                f"unknown host {host!r}", field="--host", fix="use 127.0.0.1 (the default)"
            ) from None
        except OSError as exc:
            raise CorredorError(
                f"cannot listen on {host}:{port} ({exc.strerror})",
                field="--port",
                fix=f"choose another port, e.g. --port {port + 1 if port < 65535 else 8502}",
            ) from None


def launch(cmd: list[str]) -> int:
    """Run the server. On POSIX the command replaces this process, so a signal that stops
    `corredor dashboard` (Ctrl+C, SIGTERM) stops the server itself, leaving no orphan."""
    if os.name == "posix":
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(cmd[0], cmd)
    try:
        return subprocess.call(cmd)
    except KeyboardInterrupt:
        return 0


@app.command()
def dashboard(
    port: int = typer.Option(8501, "--port", "-p", help="Port to serve on."),
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to bind; the default serves this machine only."
    ),
) -> None:
    """Serve the web dashboard on http://HOST:PORT: explore scenarios, try policies,
    compare runs, browse evidence and validation. Needs no internet; Ctrl+C stops it.

    Run settings start from CORREDOR_DASHBOARD_REPLICATES, _SEED, _START, _END and
    _LEVER_YEAR when set (see corredor/dashboard/config.py)."""
    from corredor.dashboard.config import default_settings

    default_settings()  # a bad CORREDOR_DASHBOARD_* value stops here, with its name
    check_port(host, port)
    if not is_local(host):
        err_console.print(
            f"[bold yellow]note:[/] serving on {host}: other machines that reach this "
            "address can use the dashboard and run the model on this machine"
        )
    url_host = f"[{host}]" if ":" in host else host
    console.print(f"Corredor dashboard on http://{url_host}:{port}  (Ctrl+C stops it)")
    code = launch(streamlit_command(host, port))
    if code:
        raise SystemExit(code)
