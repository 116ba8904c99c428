"""Every sudo() in the addon says why it is safe, in a comment just above it
(a line starting with "# sudo:" among the few lines before the call)."""

import re
from pathlib import Path

ADDON = Path(__file__).resolve().parents[2] / "mto_replenish"
SUDO = re.compile(r"\.sudo\((?!False)")
#: How far above the call the reason may stand (a statement split over lines).
REACH = 8


def _unexplained(path):
    lines = path.read_text().splitlines()
    missing = []
    for index, line in enumerate(lines):
        if not SUDO.search(line) or line.lstrip().startswith("#"):
            continue
        above = lines[max(0, index - REACH) : index + 1]
        if not any("# sudo:" in text for text in above):
            missing.append(f"{path.relative_to(ADDON)}:{index + 1}: {line.strip()}")
    return missing


def test_every_sudo_has_a_reason():
    sources = [
        path
        for path in sorted(ADDON.rglob("*.py"))
        if "tests" not in path.relative_to(ADDON).parts
    ]
    missing = [entry for path in sources for entry in _unexplained(path)]
    assert not missing, "sudo() without a '# sudo:' reason:\n" + "\n".join(missing)
