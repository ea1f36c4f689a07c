"""The project's promises: compose matches the settings, production passes `check --deploy`."""

import ast

import yaml

from tests import PROJECT_ROOT

APP_SERVICES = ("web", "worker", "beat")


def settings_variables() -> dict[str, bool]:
    """Every environment variable config/settings.py reads -> whether it has a default."""
    tree = ast.parse((PROJECT_ROOT / "config" / "settings.py").read_text())
    found: dict[str, bool] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.Constant):
            continue
        func = node.func
        is_env_call = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute)
            and (
                (isinstance(func.value, ast.Name) and func.value.id == "env")
                or (isinstance(func.value, ast.Call) and getattr(func.value.func, "attr", "") == "Env")
            )
        )
        if is_env_call and isinstance(node.args[0].value, str) and node.args[0].value.isupper():
            has_default = any(k.arg == "default" for k in node.keywords)
            found[node.args[0].value] = found.get(node.args[0].value, False) or has_default
    # Declared with a default in environ.Env(...)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Env":
            for kw in node.keywords:
                found[kw.arg] = True
    return found


def compose() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())


def test_compose_parses_and_has_the_five_services_with_health_checks():
    services = compose()["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    for name, svc in services.items():
        assert "healthcheck" in svc, name
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "gunicorn config.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A config worker")
    assert services["beat"]["command"].startswith("celery -A config beat")


def test_every_variable_the_settings_need_is_set_for_the_app_services():
    read = settings_variables()
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "EMAIL_URL", "DEBUG", "ALLOWED_HOSTS"} <= set(read)
    needed_in_production = {
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "EMAIL_URL",
        "PRODUCTION",
        "ALLOWED_HOSTS",
        "SITE_URL",
        "CSRF_TRUSTED_ORIGINS",
    }
    needed_in_production |= {name for name, has_default in read.items() if not has_default}
    for name in APP_SERVICES:
        env = compose()["services"][name]["environment"]
        missing = needed_in_production - set(env)
        assert not missing, f"{name} lacks {missing}"
        unknown = set(env) - set(read)
        assert not unknown, f"{name} sets variables the settings never read: {unknown}"


def test_compose_urls_point_at_the_compose_services():
    svcs = compose()["services"]
    env = svcs["web"]["environment"]
    assert "@postgres:5432/" in env["DATABASE_URL"]
    assert env["DATABASE_URL"].rsplit("/", 1)[1] == svcs["postgres"]["environment"]["POSTGRES_DB"]
    assert env["REDIS_URL"].startswith("redis://redis:6379")
    assert env["PRODUCTION"] == "true"


def test_only_the_proxy_facing_port_is_published_and_only_on_loopback():
    services = compose()["services"]
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]
    for name in ("worker", "beat", "postgres", "redis"):
        assert "ports" not in services[name], name
    assert services["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "1"


def test_no_secret_has_a_default():
    """Compose refuses to start without them (``${VAR:?message}``), instead of running on a known one."""
    services = compose()["services"]
    env = services["web"]["environment"]
    assert ":?" in env["SECRET_KEY"]
    assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"]
    assert ":?" in services["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert ":?" in env["ALLOWED_HOSTS"]
    text = (PROJECT_ROOT / "docker-compose.yml").read_text()
    assert "POSTGRES_PASSWORD:-" not in text and "SECRET_KEY:-" not in text


def test_the_image_has_the_backup_tools_of_the_database_s_major_version():
    """``manage.py backup|restore`` run pg_dump / pg_restore inside the app image (README, "Backups"): the
    image installs the PostgreSQL client of the compose server's major version, on a Debian release that
    ships it (a pg_dump older than the server refuses to dump it)."""
    import re

    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    major = compose()["services"]["postgres"]["image"].split(":")[1].split(".")[0]
    installs = " ".join(
        line for line in dockerfile.replace("\\\n", " ").splitlines() if "apt-get install" in line
    )
    assert f"postgresql-client-{major}" in installs.split(), installs
    base = re.search(r"^FROM\s+(\S+)", dockerfile, re.M)[1]
    debian_with = {"15": "bookworm", "17": "trixie"}  # the postgresql-client-N each release ships
    assert base.endswith(f"-{debian_with[major]}"), base
