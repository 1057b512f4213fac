"""The deployment files: the compose file's services and commands, the Dockerfile's stages,
and the example environment passing Django's deploy checks (fast: nothing is started)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]


def env_example() -> dict[str, str]:
    """deploy/anxin.env.example as a dictionary (KEY=VALUE lines, comments skipped)."""
    out = {}
    for line in (ROOT / "deploy" / "anxin.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out


def test_the_compose_file_starts_postgres_migrate_web_workers_sequencer_and_deadlines() -> None:
    # Given the compose file
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    # Then it has the database, a one-off migration, the server, workers, the sequencer and
    # the deadlines every minute
    assert set(services) >= {"db", "migrate", "web", "worker", "sequencer", "deadlines"}
    assert services["db"]["image"].startswith("postgres:16")
    assert "healthcheck" in services["db"]
    assert any(v.startswith("pgdata:") for v in services["db"]["volumes"])
    assert "pgdata" in compose["volumes"]
    assert services["migrate"]["command"][:2] == ["anxin", "migrate"]
    assert services["web"]["command"] == ["anxin", "serve"]
    assert services["worker"]["command"][:2] == ["anxin", "db_worker"]
    assert services["sequencer"]["command"][:3] == ["anxin", "evidence", "sequence"]
    assert "anxin deadlines" in " ".join(services["deadlines"]["command"])
    assert "sleep 60" in " ".join(services["deadlines"]["command"])
    # And everything after the migration waits for it, and for a healthy database
    for name in ("web", "worker", "sequencer", "deadlines"):
        deps = services[name]["depends_on"]
        assert deps["migrate"]["condition"] == "service_completed_successfully", name
        assert deps["db"]["condition"] == "service_healthy", name
    # And the keys are the host's folder mounted into every service, never part of the image
    for name in ("web", "worker", "sequencer", "deadlines", "migrate"):
        assert "./keys:/keys" in services[name]["volumes"], name
    assert "keys" in (ROOT / ".dockerignore").read_text().split()
    assert "COPY keys" not in (ROOT / "Dockerfile").read_text()
    # And the web server's healthcheck is the health endpoint
    assert "/health/" in " ".join(services["web"]["healthcheck"]["test"])


def test_the_dockerfile_builds_static_files_and_messages_and_runs_as_a_user() -> None:
    # Given the Dockerfile
    text = (ROOT / "Dockerfile").read_text()
    # Then it builds in stages on a slim Python 3.11, collects the static files and compiles
    # the messages at build time, installs no development extras and runs as a user
    assert text.count("FROM python:3.11-slim") == 2
    assert "collectstatic" in text
    assert "anxin.i18n" in text
    # (compiled from outside the source folder, so into the installed package, not /src)
    assert text.index("\nWORKDIR /\n") < text.index("python -m anxin.i18n")
    assert "[dev]" not in text
    assert "\nUSER anxin" in text


def test_the_example_environment_passes_the_deploy_checks_without_a_warning(tmp_path) -> None:
    # Given the example production environment (and nothing else of this machine's)
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "ANXIN_DATA_DIR": str(tmp_path),
        **env_example(),
    }
    # When Django's deploy checks run with it, failing on any warning
    out = subprocess.run(
        [sys.executable, "-m", "anxin", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Then they pass and nothing is silenced
    assert out.returncode == 0, out.stderr + out.stdout
    assert "no issues (0 silenced)" in out.stdout
