"""What an import may fetch (catalogue/ingest/remote.py): no address that is not globally routable
(loopback, private, link-local such as cloud metadata at 169.254.169.254, IPv6 loopback, ULA and
link-local, 0.0.0.0, multicast), on any redirect hop either, unless IMPORT_ALLOWED_NETWORKS allows it.

A refused fetch connects nowhere: the servers here, on 127.0.0.1 and 127.0.0.2 (loopback too, on
Linux), count what they are asked. The tests' own allowance (conftest: VITRINE_IMPORT_ALLOWED_NETWORKS,
127.0.0.1 and ::1 only) is set aside where a test needs the default.
"""
from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner
from support import COLLECTION, import_file
from test_curator_foundation import PASSWORD, signed_in_client
from test_import_page import settled, upload

from catalogue import create_app
from catalogue.cli import main
from catalogue.ingest import IngestError
from catalogue.ingest.iiif import read_iiif
from catalogue.ingest.remote import Fetcher, FetchError, allowed_networks
from catalogue.services.imports import run_import

SETTING = "set VITRINE_IMPORT_ALLOWED_NETWORKS to allow it"
MANIFEST = {"@context": "http://iiif.io/api/presentation/3/context.json", "id": "https://lender.example.org/m",
            "type": "Manifest", "label": {"en": ["Lent"]}, "items": []}


class Server:
    """An HTTP server on ``host`` that answers /manifest.json with a manifest and /to?<url> with a
    redirect to ``url``; ``paths`` is every request it got, ``hosts`` their Host headers."""

    def __init__(self, host: str):
        self.paths: list[str] = []
        self.hosts: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.paths.append(self.path)
                outer.hosts.append(self.headers.get("Host", ""))
                if self.path.startswith("/to?"):
                    self.send_response(302)
                    self.send_header("Location", self.path.partition("?")[2])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = json.dumps(MANIFEST).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.port = self.httpd.server_port
        self.base = f"http://{host}:{self.port}"


@contextlib.contextmanager
def served(host: str = "127.0.0.1") -> Iterator[Server]:
    server = Server(host)
    threading.Thread(target=server.httpd.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


@pytest.fixture
def local():
    with served() as server:
        yield server


@pytest.fixture
def unallowed(tmp_path):
    """A catalogue with the default setting: nothing but public addresses."""
    app = create_app({"INSTANCE": str(tmp_path / "instance"), "TESTING": True, "IMPORT_ALLOWED_NETWORKS": ""})
    yield app
    app.extensions["vitrine"].close()


# The rule ---------------------------------------------------------------------------------------

def test_the_default_setting_allows_no_network_and_the_tests_allow_only_their_own_loopback_addresses():
    from catalogue.config import DEFAULTS

    assert DEFAULTS["IMPORT_ALLOWED_NETWORKS"] == ""
    assert Fetcher().allowed == ()


def test_a_loopback_server_is_refused_with_the_reason_and_never_asked(local):
    with pytest.raises(FetchError) as refused:
        Fetcher(timeout=5).get(f"{local.base}/manifest.json")
    assert str(refused.value) == f"{local.base}/manifest.json: refused: 127.0.0.1 is a loopback address; {SETTING}"
    assert local.paths == []


def test_a_host_name_is_refused_for_the_address_it_resolves_to(local):
    url = f"http://localhost:{local.port}/manifest.json"
    with pytest.raises(FetchError) as refused:
        Fetcher(timeout=5).get(url)
    assert refused.value.url == url
    assert refused.value.message.startswith("refused: localhost resolves to ")
    assert "a loopback address" in refused.value.message and SETTING in refused.value.message
    assert local.paths == []


@pytest.mark.parametrize(("host", "reason"), [
    ("[::1]", "::1 is a loopback address"),
    ("169.254.169.254", "169.254.169.254 is a link-local address"),
    ("10.0.0.5", "10.0.0.5 is a private address"),
    ("172.16.3.4", "172.16.3.4 is a private address"),
    ("192.168.1.1", "192.168.1.1 is a private address"),
    ("0.0.0.0", "0.0.0.0 is an unspecified address"),
    ("224.0.0.1", "224.0.0.1 is a multicast address"),
    ("100.64.0.1", "100.64.0.1 is not a public address"),
    ("[fd12:3456::1]", "fd12:3456::1 is a private address"),
    ("[fe80::1]", "fe80::1 is a link-local address"),
    ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1 is a loopback address"),
    ("[::ffff:a00:5]", "::ffff:10.0.0.5 is a private address"),
    ("[ff02::1]", "ff02::1 is a multicast address"),
])
def test_an_address_that_is_not_globally_routable_is_refused_before_any_connection(host, reason, monkeypatch):
    def connecting(*args, **kwargs):
        raise AssertionError(f"connected to {args}")

    monkeypatch.setattr(socket, "create_connection", connecting)
    monkeypatch.setattr("urllib3.util.connection.create_connection", connecting)
    url = f"http://{host}/manifest.json"
    with pytest.raises(FetchError) as refused:
        Fetcher(timeout=5).get(url)
    assert str(refused.value) == f"{url}: refused: {reason}; {SETTING}"


def test_a_host_is_refused_when_any_of_its_addresses_is_not_public(monkeypatch):
    real = socket.getaddrinfo

    def resolving(host, *args, **kwargs):
        if host == "split.example.org":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80)),
                    (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolving)
    with pytest.raises(FetchError) as refused:
        Fetcher(timeout=5).get("http://split.example.org/m.json")
    assert refused.value.message == f"refused: split.example.org resolves to 10.1.2.3, a private address; {SETTING}"


def test_through_a_proxy_the_host_is_checked_here_and_the_proxy_never_asked(local):
    fetcher = Fetcher(timeout=5, allowed=allowed_networks("127.0.0.1/32"))
    fetcher.session.proxies = {"http": local.base}  # an operator's proxy may be on a private network
    with pytest.raises(FetchError) as refused:
        fetcher.get("http://10.0.0.5/manifest.json")
    assert refused.value.message == f"refused: 10.0.0.5 is a private address; {SETTING}"
    assert local.paths == []
    fetcher.get("http://127.0.0.1:9/manifest.json")  # allowed: the proxy is asked for it
    assert local.paths == ["http://127.0.0.1:9/manifest.json"]


def test_an_allowed_network_is_fetched(local):
    fetched = Fetcher(timeout=5, allowed=allowed_networks("10.0.0.0/8 127.0.0.0/8")).get(f"{local.base}/manifest.json")
    assert fetched.json() == MANIFEST and local.paths == ["/manifest.json"]


def test_the_connection_goes_to_the_address_that_was_checked_not_to_a_second_answer(local, monkeypatch):
    """DNS rebinding: a name that resolves to an allowed address when checked and another when
    connected to. The address checked is the one connected to; the name is asked once."""
    real, asked = socket.getaddrinfo, []

    def rebinding(host, *args, **kwargs):
        if host == "lender.example.org":
            asked.append(host)
            address = "127.0.0.1" if len(asked) == 1 else "10.9.9.9"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, local.port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    url = f"http://lender.example.org:{local.port}/manifest.json"
    fetched = Fetcher(timeout=5, allowed=allowed_networks("127.0.0.1/32")).get(url)
    assert fetched.json() == MANIFEST
    assert asked == ["lender.example.org"] and local.hosts == [f"lender.example.org:{local.port}"]


def test_a_redirect_to_an_address_not_allowed_is_refused_and_its_server_never_asked(local):
    with served("127.0.0.2") as other:
        target = f"{other.base}/manifest.json"
        with pytest.raises(FetchError) as refused:
            Fetcher(timeout=5, allowed=allowed_networks("127.0.0.1/32")).get(f"{local.base}/to?{target}")
        assert str(refused.value) == f"{target}: refused: 127.0.0.2 is a loopback address; {SETTING}"
        assert local.paths == [f"/to?{target}"] and other.paths == []
        allowed = Fetcher(timeout=5, allowed=allowed_networks("127.0.0.0/8")).get(f"{local.base}/to?{target}")
        assert allowed.url == target and other.paths == ["/manifest.json"]


def test_the_setting_takes_networks_and_addresses_spaced_or_comma_separated_or_a_list():
    assert [str(n) for n in allowed_networks("10.0.0.0/8, 192.168.5.7  fd00::/8")] == \
        ["10.0.0.0/8", "192.168.5.7/32", "fd00::/8"]
    assert [str(n) for n in allowed_networks(["127.0.0.1", "::1/128"])] == ["127.0.0.1/32", "::1/128"]
    assert allowed_networks("") == allowed_networks([]) == ()


def test_a_mistyped_network_stops_the_application_at_start_naming_it(tmp_path):
    with pytest.raises(ValueError, match="IMPORT_ALLOWED_NETWORKS: '10.0.0.0/33' is not a network"):
        create_app({"INSTANCE": str(tmp_path / "i"), "IMPORT_ALLOWED_NETWORKS": "10.0.0.0/8 10.0.0.0/33"})


# Imports ----------------------------------------------------------------------------------------

def test_a_refused_iiif_source_imports_nothing_and_names_the_url_and_the_reason(unallowed, local):
    svc = unallowed.extensions["vitrine"]
    url = f"{local.base}/manifest.json"
    with pytest.raises(IngestError) as refused:
        run_import(svc.store, read_iiif(url, fetcher=svc.fetcher()), svc.media_dir)
    [problem] = refused.value.problems
    assert problem.file == url and problem.message == f"refused: 127.0.0.1 is a loopback address; {SETTING}"
    assert svc.store.count_objects() == 0 and local.paths == []


def test_a_remote_image_service_at_a_refused_address_is_a_problem_of_its_record(unallowed, local, tmp_path):
    records = tmp_path / "loan.jsonl"
    lines = [{"kind": "institution", "id": "lender", "label": {"en": ["Lender"]}},
             {"id": "loan-1", "institution": "lender", "type": "image", "label": {"en": ["Loan"]},
              "rights": "http://creativecommons.org/publicdomain/zero/1.0/",
              "media": [{"service": f"{local.base}/iiif/image"}]}]
    records.write_text("".join(json.dumps(line) + "\n" for line in lines))
    with pytest.raises(IngestError) as refused:
        import_file(unallowed, records)
    assert any("refused: 127.0.0.1 is a loopback address" in p.message for p in refused.value.problems)
    assert unallowed.extensions["vitrine"].store.get_object("loan-1") is None and local.paths == []


def test_vitrine_ingest_iiif_is_under_the_same_rule(tmp_path, local):
    url = f"{local.base}/manifest.json"
    env = {"VITRINE_INSTANCE": str(tmp_path / "cli"), "VITRINE_IMPORT_ALLOWED_NETWORKS": ""}
    refused = CliRunner().invoke(main, ["ingest", "iiif", url], env=env)
    assert refused.exit_code == 1
    assert f"{url}: refused: 127.0.0.1 is a loopback address; {SETTING}" in refused.output
    assert local.paths == []
    env["VITRINE_IMPORT_ALLOWED_NETWORKS"] = "127.0.0.1/32"
    allowed = CliRunner().invoke(main, ["ingest", "iiif", url, "--dry-run"], env=env)
    assert f"fetched {url}" in allowed.output and "refused" not in allowed.output  # read: a manifest without canvases
    assert local.paths == ["/manifest.json"]


# The import page --------------------------------------------------------------------------------

@pytest.fixture
def site(unallowed):
    import_file(unallowed, COLLECTION)
    unallowed.extensions["vitrine"].accounts.add("cora", PASSWORD, roles=["curator"])
    return unallowed


def test_the_import_page_refuses_a_url_at_a_private_address_with_the_reason_and_starts_nothing(site, local):
    client = signed_in_client(site, "cora")
    response = upload(client, expect=422, url=f"{local.base}/manifest.json")
    page = response.get_data(as_text=True)
    assert f"refused: 127.0.0.1 is a loopback address; {SETTING}" in page
    assert "Traceback" not in page
    assert site.extensions["vitrine"].store.count_imports() == 0 and local.paths == []


def test_the_import_page_reports_a_redirect_to_an_address_not_allowed(tmp_path, local):
    app = create_app({"INSTANCE": str(tmp_path / "i"), "TESTING": True, "IMPORT_ALLOWED_NETWORKS": "127.0.0.1/32"})
    app.extensions["vitrine"].accounts.add("cora", PASSWORD, roles=["curator"])
    try:
        with served("127.0.0.2") as other:
            client = signed_in_client(app, "cora")
            target = f"{other.base}/manifest.json"
            job = upload(client, url=f"{local.base}/to?{target}").headers["Location"].rsplit("/", 1)[1]
            settled(app, client, job)
            page = client.get(f"/curate/imports/{job}")
            assert page.status_code == 200
            text = page.get_data(as_text=True)
            assert f"refused: 127.0.0.2 is a loopback address; {SETTING}" in text and "Traceback" not in text
            assert app.extensions["vitrine"].store.count_objects() == 0 and other.paths == []
    finally:
        app.extensions["vitrine"].close()
