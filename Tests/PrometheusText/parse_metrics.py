"""Parses a Prometheus text exposition (format 0.0.4) with prometheus_client's parser, strictly.

    parse_metrics.py FILE     prints {"family": {"type": …, "samples": [[name, {labels}, value], …]}, …}
                              as JSON, or one line naming the problem and exits with status 1.

On top of what the parser refuses, it checks what it lets through: metric and label names match
Prometheus' grammar, every family has a TYPE line, no family or series appears twice, counters
are not negative, and each histogram series has cumulative buckets up to +Inf equal to _count.
"""
import json
import math
import re
import sys

from prometheus_client.parser import text_string_to_metric_families

METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def check(text):
    families = {}
    typed = {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")}
    for family in text_string_to_metric_families(text):
        if family.name in families:
            raise ValueError(f"family {family.name} appears twice")
        if family.type == "unknown" or not (family.name in typed or family.name + "_total" in typed):
            raise ValueError(f"family {family.name} has no TYPE line")
        series = set()
        buckets = {}
        for sample in family.samples:
            if not METRIC_NAME.match(sample.name):
                raise ValueError(f"invalid metric name {sample.name!r}")
            for label in sample.labels:
                if not LABEL_NAME.match(label):
                    raise ValueError(f"invalid label name {label!r} on {sample.name}")
            key = (sample.name, tuple(sorted(sample.labels.items())))
            if key in series:
                raise ValueError(f"series {key} appears twice")
            series.add(key)
            if family.type == "counter" and sample.value < 0:
                raise ValueError(f"counter {sample.name} is negative")
            if family.type == "histogram":
                labels = tuple(sorted((k, v) for k, v in sample.labels.items() if k != "le"))
                entry = buckets.setdefault(labels, {"buckets": [], "count": None})
                if sample.name.endswith("_bucket"):
                    entry["buckets"].append((float(sample.labels["le"]), sample.value))
                elif sample.name.endswith("_count"):
                    entry["count"] = sample.value
        for labels, entry in buckets.items():
            ordered = sorted(entry["buckets"])
            if not ordered or not math.isinf(ordered[-1][0]):
                raise ValueError(f"histogram {family.name}{dict(labels)} has no +Inf bucket")
            counts = [count for _, count in ordered]
            if counts != sorted(counts):
                raise ValueError(f"histogram {family.name}{dict(labels)} buckets are not cumulative")
            if entry["count"] != counts[-1]:
                raise ValueError(f"histogram {family.name}{dict(labels)}: _count {entry['count']} != +Inf bucket {counts[-1]}")
        families[family.name] = {
            "type": family.type,
            "samples": [[s.name, s.labels, s.value] for s in family.samples],
        }
    return families


def main():
    with open(sys.argv[1], encoding="utf-8") as file:
        text = file.read()
    try:
        families = check(text)
    except Exception as error:  # the parser raises ValueError, and others on some malformed input
        print(f"not valid Prometheus text: {error}")
        sys.exit(1)
    print(json.dumps(families))


if __name__ == "__main__":
    main()
