"""`formwork metrics serve` and `formwork metrics push`: the estate's posture for Prometheus."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import click


@click.group("metrics")
def metrics() -> None:
    """The estate's posture as Prometheus metrics (formwork_*): scraped, or pushed to a Pushgateway."""


@metrics.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for every interface).")
@click.option("--port", default=9464, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
def serve(host: str, port: int) -> None:
    """Serve /metrics; each scrape reads the estate afresh (never a stale value)."""
    server = ThreadingHTTPServer((host, port), _Scrape)
    click.echo(f"serving the estate's posture on http://{host}:{server.server_address[1]}/metrics", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@metrics.command("push")
@click.argument("gateway")
@click.option("--job", default="formwork", show_default=True, help="The Pushgateway job the metrics are grouped under.")
def push(gateway: str, job: str) -> None:
    """Push the estate's posture to the Pushgateway at GATEWAY (host:port or URL), e.g. from a scheduled job."""
    from prometheus_client import push_to_gateway

    push_to_gateway(gateway, job=job, registry=_registry())
    click.echo(f"pushed to {gateway} as job {job}")


def _registry():
    from formwork.posture.metrics import registry
    from tasks.posture import estate

    return registry(estate())


class _Scrape(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        if self.path.split("?")[0] != "/metrics":
            self.send_error(404, "only /metrics is served")
            return
        try:
            body, code, kind = generate_latest(_registry()), 200, CONTENT_TYPE_LATEST
        except Exception as exc:  # noqa: BLE001 - a scrape that fails says why, and Prometheus marks the target down
            from formwork.errors import first_line

            body, code, kind = f"formwork: {first_line(exc)}\n".encode(), 500, "text/plain; charset=utf-8"
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet: a scrape every 15 s would flood the terminal
        pass
