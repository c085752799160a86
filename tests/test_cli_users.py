"""`vitrine users`: accounts, roles and tokens on the command line; a password never on it."""
from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from catalogue import create_app
from catalogue.cli import main

PASSWORD = "correct horse battery"


@pytest.fixture
def instance(tmp_path):
    return tmp_path / "instance"


@pytest.fixture
def run(instance):
    env = {"VITRINE_INSTANCE": str(instance)}

    def invoke(*args, input=None):
        return CliRunner().invoke(main, list(args), env=env, input=input)

    return invoke


@pytest.fixture
def password_file(tmp_path):
    path = tmp_path / "password"
    path.write_text(PASSWORD + "\nthe second line is not read\n")
    return str(path)


def accounts(instance):
    app = create_app({"INSTANCE": str(instance)})
    return app, app.extensions["vitrine"].accounts


def authenticates(instance, name, password):
    app, found = accounts(instance)
    try:
        return found.authenticate(name, password) is not None
    finally:
        app.extensions["vitrine"].close()


def test_a_user_is_added_with_roles_institutions_and_a_password_from_a_file(run, instance, password_file):
    added = run("users", "add", "ann", "--role", "curator", "--role", "editor", "--institution", "kbr",
                "--display-name", "Ann Peeters", "--email", "ann@kbr.be", "--password-file", password_file)
    assert added.exit_code == 0, added.output
    assert "added ann (curator, editor)" in added.output and PASSWORD not in added.output
    listed = run("users", "list")
    assert listed.output.splitlines() == ["ann\tAnn Peeters\tcurator,editor\tkbr\tpassword"]
    assert authenticates(instance, "ann", PASSWORD)


def test_a_user_without_a_password_is_listed_as_signing_in_by_no_means(run):
    assert run("users", "add", "oidc-only", "--no-password").exit_code == 0
    assert run("users", "list").output.splitlines() == ["oidc-only\t\t\t\tnone"]


def test_without_a_terminal_and_without_a_file_the_password_is_refused_clearly(run, instance):
    result = run("users", "add", "ann", "--role", "curator", input=PASSWORD + "\n" + PASSWORD + "\n")
    assert result.exit_code == 1
    assert "no terminal to ask the password on: give it in a file with --password-file FILE" in result.output
    assert run("users", "list").output == ""
    assert run("users", "passwd", "nobody").exit_code == 1


def test_the_password_is_not_an_option_of_any_users_command(run):
    for command in ("add", "passwd"):
        result = run("users", command, "ann", "--password", PASSWORD)
        assert result.exit_code == 2 and "No such option '--password'" in result.output


def _on_a_terminal(instance, *args, answers):
    """Run `vitrine ARGS` on a real pseudo-terminal, typing ``answers`` at each prompt; its output."""
    primary, secondary = pty.openpty()
    env = {**os.environ, "VITRINE_INSTANCE": str(instance), "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen([sys.executable, "-c", "from catalogue.cli import main; main()", *args],
                               stdin=secondary, stdout=secondary, stderr=secondary, env=env, close_fds=True)
    os.close(secondary)
    seen, answered, deadline = b"", 0, time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([primary], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(primary, 4096)
                except OSError:  # the command ended and closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
                # Typed once its prompt is out: getpass flushes what was typed before it asks.
                prompts = seen.count(b"Password:") + seen.count(b"Password again:")
                while answered < min(prompts, len(answers)):
                    os.write(primary, answers[answered].encode() + b"\n")
                    answered += 1
            elif process.poll() is not None:
                break
        assert process.wait(timeout=60) is not None
    finally:
        os.close(primary)
        if process.poll() is None:
            process.kill()
            process.wait()
    return process.returncode, seen.decode(errors="replace")


def test_on_a_terminal_the_password_is_asked_twice_without_echo(run, instance, password_file):
    assert run("users", "add", "ann", "--role", "curator", "--password-file", password_file).exit_code == 0
    new = "a brand new passphrase"
    code, output = _on_a_terminal(instance, "users", "passwd", "ann", answers=[new, new])
    assert code == 0, output
    assert "Password:" in output and "Password again:" in output
    assert new not in output  # typed, but never echoed
    assert authenticates(instance, "ann", new) and not authenticates(instance, "ann", PASSWORD)


def test_two_different_passwords_on_a_terminal_are_asked_again(run, instance, password_file):
    assert run("users", "add", "ann", "--password-file", password_file).exit_code == 0
    code, output = _on_a_terminal(instance, "users", "passwd", "ann",
                                  answers=["first passphrase", "other passphrase", "third passphrase",
                                           "third passphrase"])
    assert code == 0, output
    assert "do not match" in output
    assert authenticates(instance, "ann", "third passphrase")


def test_a_short_password_is_refused_with_the_reason(run, tmp_path):
    short = tmp_path / "short"
    short.write_text("short\n")
    result = run("users", "add", "ann", "--password-file", str(short))
    assert result.exit_code == 1 and "password: must have at least 10 characters" in result.output
    assert "short" not in result.output.replace("must have at least", "")
    assert run("users", "list").output == ""


@pytest.mark.parametrize("args, message", [
    (("users", "add", "Ann Smith", "--no-password"), "name: 'Ann Smith' is not a user name"),
    (("users", "add", "ann", "--no-password", "--role", "boss"), "Invalid value for '--role'"),
    (("users", "remove", "nobody", "--yes"), "no user 'nobody'"),
    (("users", "role", "nobody", "--grant", "admin"), "no user 'nobody'"),
    (("users", "tokens", "nobody"), "no user 'nobody'"),
    (("users", "revoke-token", "nobody", "abc"), "no token 'abc' of 'nobody'"),
])
def test_a_bad_users_command_says_what_is_wrong(run, args, message):
    result = run(*args)
    assert result.exit_code in (1, 2) and message in result.output, result.output


def test_adding_a_name_twice_is_refused(run):
    assert run("users", "add", "ann", "--no-password").exit_code == 0
    result = run("users", "add", "ann", "--no-password")
    assert result.exit_code == 1 and "there is already a user 'ann'" in result.output


def test_roles_and_an_editors_institutions_are_granted_and_revoked(run):
    assert run("users", "add", "ann", "--no-password", "--role", "curator").exit_code == 0
    granted = run("users", "role", "ann", "--grant", "editor", "--institution", "kbr", "--institution", "kmkg")
    assert granted.exit_code == 0 and "ann: curator, editor (kbr, kmkg)" in granted.output
    narrowed = run("users", "role", "ann", "--revoke", "editor", "--institution", "kbr")
    assert narrowed.exit_code == 0 and "ann: curator, editor (kmkg)" in narrowed.output
    revoked = run("users", "role", "ann", "--revoke", "curator")
    assert revoked.exit_code == 0
    assert run("users", "list").output.splitlines() == ["ann\t\teditor\tkmkg\tnone"]
    assert run("users", "role", "ann").exit_code == 1


def test_removing_a_user_asks_first_unless_told_yes(run):
    assert run("users", "add", "ann", "--no-password").exit_code == 0
    kept = run("users", "remove", "ann", input="n\n")
    assert kept.exit_code == 1 and "Remove the user ann" in kept.output
    assert run("users", "list").output.startswith("ann\t")
    assert run("users", "remove", "ann", input="y\n").exit_code == 0
    assert run("users", "list").output == ""
    assert run("users", "add", "bob", "--no-password").exit_code == 0
    assert run("users", "remove", "bob", "--yes").exit_code == 0
    assert run("users", "list").output == ""


def test_a_users_tokens_are_listed_and_revoked_without_their_secret(run, instance):
    assert run("users", "add", "ann", "--no-password", "--role", "curator").exit_code == 0
    app, found = accounts(instance)
    token, secret = found.create_token("ann", "nightly import")
    app.extensions["vitrine"].close()
    listed = run("users", "tokens", "ann")
    assert listed.exit_code == 0
    assert listed.output.splitlines() == [f"{token.id}\tnightly import\t{token.created}\tnever"]
    assert secret.split(".")[1] not in listed.output
    revoked = run("users", "revoke-token", "ann", token.id)
    assert revoked.exit_code == 0 and f"revoked token {token.id} of ann" in revoked.output
    assert run("users", "tokens", "ann").output == ""
    app, found = accounts(instance)
    assert found.token_user(secret) is None
    app.extensions["vitrine"].close()
