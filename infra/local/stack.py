"""``make run``: the whole platform on one machine.

Starts an embedded AWS (moto server on 127.0.0.1:4566) unless ``AWS_ENDPOINT_URL`` already
points at one (LocalStack), creates every resource from ``infra/resources.py``, seeds demo data,
serves every app behind one gateway on http://127.0.0.1:8000, pumps the queues into the apps'
SQS handlers and fires their schedules. Ctrl-C stops everything it started.

The data (tables and S3 objects) is kept across restarts in ``<state dir>/aws-state`` (see
``state.py``), and every write answered since the last dump in ``<state dir>/journal`` (see
``journal.py``: a ``kill -9`` loses nothing answered); ``--clean`` starts from nothing. The
gateway's port is written to ``<state dir>/port`` and the embedded AWS's to
``<state dir>/moto-port`` while the stack runs, so ``make fire``, ``make report``, ``make dlq``
find this stack. Ports already taken stop the start at once, with exit code 2.

``INSATS_CLOCK=2027-01-08T09:00+01:00`` starts the apps' clock (and so the schedules) at that
time; it runs on in real time (``services/clock.py``).
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _configure_env(endpoint: str, state_dir: Path, region: str, started_moto: bool) -> None:
    if started_moto:
        # Never let a developer's real credentials near the embedded AWS (or real AWS).
        for k, v in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                     "AWS_SESSION_TOKEN": "testing"}.items():
            os.environ[k] = v
    else:
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    os.environ.update({
        "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": region, "AWS_DEFAULT_REGION": region,
        "INSATS_STAGE": "local", "DEV_ISSUER_DIR": str(state_dir),
        # Insats' own tokens: signed with the key folder's key, verified with its jwks.json. The
        # broker's OIDC_* settings are the operator's and are left as they are.
        "INSATS_TOKEN_JWKS_URL": f"file://{state_dir}/jwks.json",
        "POPULATION_REGISTER_FILE": str(ROOT / "infra" / "fixtures" / "people.json"),
    })
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("PUBLIC_BASE_URL", "http://127.0.0.1:8000")


class Stopper:
    """Signal handlers that only count: no lock is taken inside a handler, so a second signal
    landing while the first is being handled (Ctrl-C twice, SIGTERM from a supervisor) cannot
    deadlock. The main thread polls and does the stopping itself; a third signal exits at once."""

    def __init__(self) -> None:
        self.signals = 0

    def handle(self, signum: int, frame: object) -> None:
        self.signals += 1
        if self.signals >= 3:
            os._exit(130)

    def install(self) -> None:
        signal.signal(signal.SIGINT, self.handle)
        signal.signal(signal.SIGTERM, self.handle)

    def wait(self, poll: float = 0.2) -> None:
        while not self.signals:
            time.sleep(poll)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("INSATS_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("INSATS_GATEWAY_PORT", "8000")),
                        help="the gateway's port (0 picks a free one; the port is written to <state dir>/port)")
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "4566")))
    parser.add_argument("--state-dir", default=os.environ.get("INSATS_STATE_DIR", str(ROOT / ".local")))
    parser.add_argument("--clean", action="store_true",
                        help="start without the data kept from the last run (and forget it)")
    parser.add_argument("--snapshot-every", type=float, default=300.0,
                        help="seconds between dumps of the data while running (also dumped on stop)")
    args = parser.parse_args(argv)
    refused = _refusal(args)
    if refused:
        print(refused, file=sys.stderr, flush=True)
        return 2
    if os.environ.get("INSATS_CLOCK") and not os.environ.get("INSATS_CLOCK_FROM"):
        os.environ["INSATS_CLOCK_FROM"] = repr(time.time())  # the clock starts now; the stack's processes agree
    stopper = Stopper()
    stopper.install()  # before anything slow starts: a Ctrl-C during start-up still stops cleanly

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for noisy in ("werkzeug", "botocore", "urllib3", "moto"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    started = time.monotonic()
    region = os.environ.get("AWS_REGION", "eu-north-1")
    state_dir = Path(args.state_dir).resolve()
    state_dir.mkdir(parents=True, exist_ok=True)

    moto_server = None
    from infra.local.journal import Journal

    journal = Journal(state_dir)
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        from infra.local.moto_streams import install

        install()  # table streams without making moto's transactions slower
        endpoint = f"http://127.0.0.1:{args.moto_port}"
        moto_server = _embedded_aws(args.moto_port, journal, endpoint, region)
    os.environ.setdefault("PUBLIC_BASE_URL", f"http://{args.host}:{args.port}")  # the e-ID login returns here
    _configure_env(endpoint, state_dir, region, started_moto=moto_server is not None)

    sys.path.insert(0, str(ROOT))
    from infra.apps import load_all
    from infra.local.demo import people, seed
    from infra.local import state
    from infra.local.gateway import DevRoutes, Gateway
    from infra.local.pump import QueuePump
    from infra.local.scheduler import Job, Scheduler
    from infra.provision import local_session, provision
    from infra.resources import STACK
    from services.auth.dev_issuer import DevIssuer
    from services.settings import settings

    s = settings()
    issuer = DevIssuer(state_dir, issuer=s.token_issuer, audience=s.token_audience)
    session = local_session(endpoint, region)
    provision(session, prefix=s.prefix, region=region)
    keep_state = moto_server is not None  # an external AWS (LocalStack) keeps its own state
    if args.clean:
        state.clear(state_dir)  # the dump and the journal
    restored = state.load(session, state_dir) if keep_state else None
    replayed = journal.replay(session) if keep_state else None
    if keep_state:
        journal.start()
    if restored is None and replayed and any(replayed.values()):
        restored = dict(replayed)  # killed before its first dump: the journal holds it all
    apps = load_all()
    seeded = seed() if restored is None else []  # the restored data holds the demo data as it was left

    stop = threading.Event()
    sqs = session.client("sqs")
    pumps = []
    for queue in STACK.queues:
        handler = getattr(apps[queue.owner], queue.handler, None)
        if handler is None:
            logging.warning("no handler %s.%s for queue %s yet", queue.owner, queue.handler, queue.name)
            continue
        url = sqs.get_queue_url(QueueName=s.name(queue.name))["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        pumps.append(QueuePump(sqs, url, arn, handler, region=region, batch_size=queue.batch_size, stop=stop,
                               name=queue.name))
    pumps.extend(_stream_pumps(apps, session, region, stop, skip_restored=restored is not None))
    jobs = [Job(f"{name}.{source.name}", source.schedule_expression, getattr(module, source.name))
            for name, module in apps.items() for source in module.app.event_sources
            if type(source).__name__ == "ScheduledEventConfig"]
    scheduler = Scheduler(jobs, stop)
    http_apps = {name: module for name, module in apps.items() if module.app.routes}
    try:
        gateway = Gateway(http_apps, DevRoutes(issuer, endpoint, scheduler, pumps), args.host, args.port)
    except OSError as exc:  # taken since the check at start
        print(f"make run: port {args.port} for the gateway: {exc.strerror}. Choose another: make run PORT=<port>",
              file=sys.stderr, flush=True)
        journal.close()
        return 2

    for worker in [*pumps, scheduler]:
        worker.start()
    # The ports and the clock are written before the gateway answers: whoever sees it answer (a
    # supervisor, a test, make fire/dlq/report beside it) finds them.
    port_file, moto_port_file, clock_file = state_dir / "port", state_dir / "moto-port", state_dir / "clock"
    port_file.write_text(f"{gateway.server.server_address[1]}\n")
    if moto_server is not None:
        moto_port_file.write_text(f"{args.moto_port}\n")
    else:
        moto_port_file.unlink(missing_ok=True)  # an external AWS: AWS_ENDPOINT_URL says where
    if os.environ.get("INSATS_CLOCK"):  # make report beside the stack reads the stack's time
        clock_file.write_text(f"INSATS_CLOCK={os.environ['INSATS_CLOCK']} INSATS_CLOCK_FROM={os.environ['INSATS_CLOCK_FROM']}\n")
    else:
        clock_file.unlink(missing_ok=True)
    serving = threading.Thread(target=gateway.serve_forever, name="gateway", daemon=True)
    serving.start()
    if keep_state:
        threading.Thread(target=_snapshots, args=(state, session, state_dir, stop, args.snapshot_every, journal),
                         name="snapshots", daemon=True).start()
    _banner(args, endpoint, moto_server is not None, http_apps, jobs, people(), seeded, restored,
            time.monotonic() - started, replayed)

    stopper.wait()
    print("\nStopping Insats …", flush=True)
    stop.set()
    for worker in [*pumps, scheduler]:
        worker.join(timeout=5)
    gateway.shutdown()
    for written in (port_file, moto_port_file, clock_file):
        written.unlink(missing_ok=True)
    if keep_state:
        try:
            kept = state.save(session, state_dir, journal)
            print(f"Kept {kept['items']} items and {kept['objects']} files for the next start "
                  f"(make run CLEAN=1 starts clean).", flush=True)
        except Exception:  # noqa: BLE001 - stopping must finish; the previous dump stays
            logging.exception("could not keep the data")
    journal.close()
    if moto_server is not None:
        moto_server.shutdown()
        moto_server.server_close()
    print("Stopped.", flush=True)
    return 0


def _stream_pumps(apps, session, region: str, stop: threading.Event, *, skip_restored: bool) -> list:  # noqa: ANN001
    """A pump per app that relays an outbox (``infra/resources.py``), from its table's stream into
    its ``relay_outbox``. Records of data restored from the last run are skipped: their events
    went out in that run."""
    from infra.local.pump import StreamPump
    from infra.resources import STACK
    from services.adapters.outbox import StreamCursor
    from services.entrypoints.sources import RELAY_BATCH_SIZE, RELAY_HANDLER
    from services.settings import settings

    pumps = []
    for spec in STACK.apps:
        if not spec.relays_outbox:
            continue
        cursor = StreamCursor(settings().name(spec.table), dynamodb=session.client("dynamodb"),
                              streams=session.client("dynamodbstreams"))
        if skip_restored:
            cursor.poll(lambda records: [])
        pumps.append(StreamPump(cursor, getattr(apps[spec.name], RELAY_HANDLER), region=region,
                                batch_size=RELAY_BATCH_SIZE, stop=stop, name=spec.name))
    return pumps


def _snapshots(state, session, state_dir: Path, stop: threading.Event, every: float, journal) -> None:  # noqa: ANN001
    """Dumps the data now and then, so that the journal (what a killed stack replays) stays short."""
    while not stop.wait(every):
        try:
            state.save(session, state_dir, journal)
        except Exception:  # noqa: BLE001
            logging.exception("could not dump the data")


def _refusal(args: argparse.Namespace) -> str | None:
    """Why the stack cannot start, said at once: a port that is taken (another stack?), a clock
    that is not an instant, or a clock on a stage that is not local."""
    from services.clock import ClockRefused, offset

    try:
        offset(os.environ)
    except ClockRefused as exc:
        return f"make run: {exc}"
    ports = [("gateway", "PORT", args.host, args.port)]
    if not os.environ.get("AWS_ENDPOINT_URL"):  # else no embedded AWS is started
        ports.append(("embedded AWS", "MOTO_PORT", "127.0.0.1", args.moto_port))
    for what, variable, host, port in ports:
        if not port:
            continue  # 0: any free port
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers bind
            try:
                probe.bind((host, port))
            except OSError:
                return (f"make run: port {port} for the {what} is taken (another make run?). "
                        f"Stop that, or choose another: make run {variable}=<port>")
    return None


def _embedded_aws(port: int, journal, endpoint: str, region: str):  # noqa: ANN001, ANN202
    """moto's server with the journal in front, bound before this returns (a taken port fails here,
    not in a thread that never reports back)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    from infra.local.journal import JournalingApp

    clients: list = []

    def s3_client():  # noqa: ANN202 - made once, on the first journaled upload
        if not clients:
            from infra.provision import local_session

            clients.append(local_session(endpoint, region).client("s3"))
        return clients[0]

    app = JournalingApp(DomainDispatcherApplication(create_backend_app), journal, s3_client)
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, name="embedded-aws", daemon=True).start()
    return server


def _banner(args, endpoint, own_moto, http_apps, jobs, demo, seeded, restored, seconds, replayed) -> None:  # noqa: ANN001
    from zoneinfo import ZoneInfo

    from services.clock import utc_now

    base = f"http://{args.host}:{args.port}"
    clock = os.environ.get("INSATS_CLOCK")
    lines = [
        "",
        "Insats is up (local stage)." + f"  ready in {seconds:.1f} s",
        *([f"  Clock: {utc_now().astimezone(ZoneInfo('Europe/Stockholm')).isoformat(timespec='seconds')} (INSATS_CLOCK={clock}; runs on from there)"]
          if clock else []),
        f"  Citizen web (e-services, Mina sidor; log in as a demo person): {base}/eservices/web",
        f"  Staff (log in by e-ID as a demo staff member; case work, the staff directory): {base}/personal",
        f"  Embedded AWS: {endpoint} ({'moto server, started here' if own_moto else 'external, AWS_ENDPOINT_URL'})",
        "  APIs:",
        *[f"    {base}/{name}/health    {base}/{name}/openapi.json" for name in sorted(http_apps)],
        "  Local-only helpers:",
        f"    POST {base}/dev/token      mint a login token",
        f"    GET  {base}/dev/outbox     e-mails and SMS sent",
        f"    GET  {base}/dev/schedules  scheduled jobs; POST {base}/dev/schedules/<name> fires one",
        f"    GET  {base}/dev/oidc/.well-known/openid-configuration  the development e-ID broker (OIDC)",
        f"  Schedules: {', '.join(j.name for j in jobs) or 'none'}",
        (f"  Data kept from the last run: {restored['items']} items, {restored['objects']} files "
         f"(make run CLEAN=1 starts clean)" if restored is not None else f"  Demo data: {len(seeded)} records seeded"),
        *([f"  Replayed from the journal (writes after the last dump): {replayed['items']} items, "
           f"{replayed['objects']} files"] if replayed and any(replayed.values()) else []),
        "  Log in as a demo user (then send 'Authorization: Bearer <access_token>'):",
    ]
    for login in demo["demo_logins"]:
        staff = bool(login.get("user_id"))  # a staff member's personnummer finds them at login; it is no claim
        claims = {k: v for k, v in login.items() if k != "label" and not (staff and k == "personnummer")}
        body = ", ".join(f'"{k}": "{v}"' for k, v in claims.items())
        lines.append(f"    {login['label']}:")
        lines.append(f"      curl -s -X POST {base}/dev/token -d '{{{body}}}'")
    lines.append("  Ctrl-C stops everything.")
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
