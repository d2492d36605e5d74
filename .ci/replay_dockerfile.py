"""Replays the Dockerfile's steps on this machine, so a broken image step fails CI
without a Docker daemon: the apt packages, ``pip install`` into a fresh virtualenv,
``collectstatic`` with the image's environment, and the app started as the non-root
user the image switches to (``manage.py check --deploy`` and gunicorn's config check).

Each instruction is read from the Dockerfile; what differs from a build is only
where things go (a temporary directory instead of ``/app`` and ``/data``), that the
apt step is skipped when its packages are installed already, and that apt lists
are left in place. Run as root: ``python3 .ci/replay_dockerfile.py``.
"""

import os
import pwd
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def installed(apt_install: str) -> bool:
    """Are all the packages of an ``apt-get install`` step on this machine already?"""
    packages = [word for word in apt_install.split()[2:] if not word.startswith("-")]
    return all(subprocess.run(["dpkg", "-s", name], capture_output=True).returncode == 0 for name in packages)


def instructions(text: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", text)
    steps = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            steps.append((keyword.upper(), rest.strip()))
    return steps


def run(command: str, *, env: dict, cwd: Path, user: str | None = None) -> None:
    argv = ["bash", "-euo", "pipefail", "-c", command]
    if user:
        argv = ["runuser", "-u", user, "--", *argv]
    print(f"+ {command}", flush=True)
    subprocess.run(argv, env=env, cwd=cwd, check=True)


def replay(root: Path) -> None:
    app, data, venv = root / "app", root / "data", root / "venv"
    app.mkdir()
    # The system's Python 3.11 (the image's version): one the non-root user can run.
    python = shutil.which("python3.11", path="/usr/local/bin:/usr/bin") or sys.executable
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    env = {
        "PATH": f"{venv / 'bin'}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": str(root),
        "LANG": "C.UTF-8",
        "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip")),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    user = None
    for keyword, rest in instructions((REPO / "Dockerfile").read_text()):
        if keyword == "ENV":
            env.update(dict(pair.split("=", 1) for pair in shlex.split(rest)))
        elif keyword == "WORKDIR":
            app.mkdir(parents=True, exist_ok=True)
        elif keyword == "COPY":
            source, _ = rest.split()
            tracked = subprocess.run(
                ["git", "ls-files"], cwd=REPO, check=True, capture_output=True, text=True
            )
            for name in tracked.stdout.splitlines() if source == "." else [source]:
                if (REPO / name).is_file():
                    (app / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(REPO / name, app / name)
        elif keyword == "RUN":
            steps = [step.strip().replace("/data", str(data)) for step in rest.split("&&")]
            if any(step.startswith("apt-get install") for step in steps) and all(
                installed(step) for step in steps if step.startswith("apt-get install")
            ):
                print(f"= already installed: {rest}", flush=True)
                continue
            for step in steps:
                if step == "rm -rf /var/lib/apt/lists/*":
                    continue
                # pip's own cache is kept (a build has none; this keeps CI fast).
                step = step.replace("--no-cache-dir ", "")
                if step.startswith("useradd "):
                    name = step.split()[-1]
                    try:
                        pwd.getpwnam(name)
                    except KeyError:
                        run(step, env=env, cwd=app)
                    continue
                run(step, env=env, cwd=app)
        elif keyword == "USER":
            user = rest
            # The image's files are root's and readable; the user writes only /data.
            root.chmod(0o755)
        elif keyword == "CMD":
            checks = {**env, "SECRET_KEY": "replay-only-" + "x" * 50, "ALLOWED_HOSTS": "shop.example.com"}
            run("python manage.py check --deploy --fail-level WARNING", env=checks, cwd=app, user=user)
            run("gunicorn --check-config marketplace.wsgi:application", env=checks, cwd=app, user=user)
            touch = data / "media" / "written-by-the-app-user"
            run(f"touch {touch} && rm {touch}", env=checks, cwd=app, user=user)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="dockerfile-replay-") as directory:
        replay(Path(directory))
    print("Dockerfile replayed: every step ran.")
