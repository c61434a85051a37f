"""Merge the GPU check's parts into one JSON object: OUT/gpu-results.json (and print it).

    python bench/gpu/collect.py OUT_DIR
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path


def pytest_counts(xml: Path) -> dict:
    if not xml.is_file():
        return {"error": "no pytest report"}
    suite = ET.parse(xml).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    failed = [case.get("name") for case in suite.iter("testcase")
              if case.find("failure") is not None or case.find("error") is not None]
    skipped = {case.get("name"): case.find("skipped").get("message", "")[:200]
               for case in suite.iter("testcase") if case.find("skipped") is not None}
    total = int(suite.get("tests", 0))
    return {"total": total, "failed": failed, "skipped": skipped,
            "passed": total - len(failed) - len(skipped)}


def load(path: Path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        return {"error": f"{path.name}: {error}"}


def main() -> int:
    out = Path(sys.argv[1])
    result = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "probe": load(out / "probe.json"), "tests": pytest_counts(out / "pytest.xml"),
              "e2e": load(out / "e2e.json"), "throughput": load(out / "throughput.json")}
    e2e = result["e2e"] if isinstance(result["e2e"], dict) else {}
    result["ok"] = (not result["tests"].get("failed") and "error" not in result["tests"]
                    and e2e.get("ok") is True and "error" not in result["throughput"])
    (out / "gpu-results.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
