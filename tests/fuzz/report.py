"""Sum what the fuzz workers sent (``make fuzz``): ``python -m tests.fuzz.report <file>``."""

from __future__ import annotations

import json
import sys
from collections import Counter


def main(path: str) -> None:
    total: Counter = Counter()
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            total.update(json.loads(line))
    print(f"requests sent: {sum(total.values())}")
    for key in sorted(total):
        print(f"  {key}: {total[key]}")


if __name__ == "__main__":
    main(sys.argv[1])
