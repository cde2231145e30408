"""Two fresh installs from the lock give byte-identical derived outputs.

    python scripts/check_reproducible.py [--keep DIR]

Builds two independent virtual environments (each `pip install .` of this checkout, which
installs exactly the versions pinned in pyproject.toml, in a non-editable wheel install), runs
`review demo` in each, and compares the digests of every derived output (review.demo.
output_digests: JSON without run times, xlsx without document dates, everything else byte for
byte). Prints the digests that differ and exits 1 if any does. Takes a few minutes (two installs).
Run by `tests/test_reproducible.py` (marked slow: CI runs it).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def install_and_run(where: Path) -> dict[str, str]:
    env_dir = where / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, str(ROOT)], check=True)
    demo = where / "demo"
    subprocess.run(
        [str(env_dir / "bin" / "review"), "demo", str(demo), "--quiet"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    code = (
        "import json, sys; from pathlib import Path; from review.demo import output_digests; "
        "print(json.dumps(output_digests(Path(sys.argv[1]))))"
    )
    out = subprocess.run(
        [str(python), "-c", code, str(demo)], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build in DIR and keep it (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        runs = []
        for name in ("install-a", "install-b"):
            (base / name).mkdir(parents=True, exist_ok=True)
            runs.append(install_and_run(base / name))
    a, b = runs
    differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    print(f"{len(a)} derived outputs compared across two fresh installs; {len(differ)} differ")
    for key in differ:
        print(f"  differs: {key}")
    return 1 if differ or not a else 0


if __name__ == "__main__":
    sys.exit(main())
