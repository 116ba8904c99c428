"""The GitHub workflow tests what the local set-up tests.

- Every job checks out Odoo at the same pinned commit (the 18.0 snapshot the set-up
  and the queue_job pin are made for), resolved by .ci/odoo-commit, never a floating
  branch; the source stays odoo/odoo through actions/checkout.
- The tours use the runner's own Google Chrome; apt's chromium (a snap shim on
  Ubuntu) is not installed.
- The lint job caches the virtual environment and pre-commit's cache.
- .ci/odoo-commit resolves an abbreviated commit (run here on a local repository).
"""

import os
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "test.yml"
ODOO_COMMIT = "504b0670"


def workflow():
    return yaml.safe_load(WORKFLOW.read_text())


def steps(job):
    return workflow()["jobs"][job]["steps"]


def odoo_checkouts(job):
    return [
        step
        for step in steps(job)
        if step.get("uses", "").startswith("actions/checkout")
        and step.get("with", {}).get("repository") == "odoo/odoo"
    ]


def test_same_odoo_commit_everywhere():
    flow = workflow()
    assert flow["env"]["ODOO_BRANCH"] == "18.0"
    assert flow["env"]["ODOO_COMMIT"] == ODOO_COMMIT
    for job in flow["jobs"]:
        (checkout,) = odoo_checkouts(job)
        assert checkout["with"]["ref"] == "${{ steps.odoo.outputs.commit }}", job
        resolve = next(s for s in steps(job) if s.get("id") == "odoo")
        assert ".ci/odoo-commit" in resolve["run"]
        # the source actions/checkout uses, no other host
        assert resolve["env"]["ODOO_REPO"] == "${{ github.server_url }}/odoo/odoo"


def test_runner_chrome_not_apt_chromium():
    text = WORKFLOW.read_text()
    for step in steps("test"):
        assert "chromium" not in step.get("run", ""), step
    assert any("google-chrome --version" in s.get("run", "") for s in steps("test"))
    assert "ubuntu" in workflow()["jobs"]["test"]["runs-on"]
    assert "snap" in text  # the reason is written down


def test_lint_job_is_cached():
    cache = next(
        s for s in steps("lint") if s.get("uses", "").startswith("actions/cache")
    )
    paths = cache["with"]["path"]
    assert "~/.cache/mto_replenish/pre-commit" in paths
    assert "~/.cache/mto_replenish/venv-*" in paths
    key = cache["with"]["key"]
    for name in ("requirements-lint.txt", ".pre-commit-config.yaml", "steps.odoo"):
        assert name in key


def test_venv_job_covers_the_other_pythons():
    matrix = workflow()["jobs"]["venv"]["strategy"]["matrix"]["python"]
    assert sorted(matrix) == ["3.10", "3.12"]


def test_odoo_commit_script_resolves_an_abbreviation(tmp_path):
    git = shutil.which("git")
    repo = tmp_path / "odoo"
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
    )

    def g(*args):
        return subprocess.run(
            [git, "-C", str(repo), *args],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        ).stdout.strip()

    repo.mkdir()
    g("init", "-q", "-b", "18.0")
    for i in range(3):
        (repo / "f").write_text(str(i))
        g("add", "f")
        g("commit", "-q", "-m", f"c{i}")
    pinned = g("rev-parse", "HEAD~1")
    run = subprocess.run(
        [str(ROOT / ".ci" / "odoo-commit")],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(
            env,
            ODOO_REPO=f"file://{repo}",
            ODOO_BRANCH="18.0",
            ODOO_COMMIT=pinned[:8],
            ODOO_SINCE="2000-01-01",
        ),
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == pinned
    full = subprocess.run(
        [str(ROOT / ".ci" / "odoo-commit")],
        capture_output=True,
        text=True,
        env=dict(
            env,
            ODOO_REPO="unused",
            ODOO_BRANCH="18.0",
            ODOO_COMMIT=pinned,
            ODOO_SINCE="2000-01-01",
        ),
    )
    assert full.stdout.strip() == pinned
