"""Drain3 on the messages of the first N events (one JSON object per line on stdin, as `logsieve parse` writes).

Reads the messages first, then times only Drain3's `add_log_message` loop, and prints one JSON line:
{"drain3_config": ..., "drain3_lines": N, "drain3_seconds": S, "drain3_lines_s": R, "drain3_clusters": C}.
Run by `cargo xtask bench` inside a throwaway virtualenv. `--mask` gives Drain3 the masking rules of its own
example configuration (IPs, numbers, hex, ...), the comparable job to logsieve's miner, which masks values too;
without it Drain3 runs with its defaults (no masking).
"""
import json
import sys
import time

from drain3 import TemplateMiner
from drain3.masking import MaskingInstruction
from drain3.template_miner_config import TemplateMinerConfig

limit = int(sys.argv[1])
mask = "--mask" in sys.argv[2:]
messages = []
for line in sys.stdin:
    messages.append(json.loads(line)["message"])
    if len(messages) >= limit:
        break

config = TemplateMinerConfig()
if mask:
    # As in drain3's examples/drain3.ini.
    config.masking_instructions = [
        MaskingInstruction(r"((?<=[^A-Za-z0-9])|^)(([0-9a-f]{2,}:){3,}([0-9a-f]{2,}))((?=[^A-Za-z0-9])|$)", "ID"),
        MaskingInstruction(r"((?<=[^A-Za-z0-9])|^)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})((?=[^A-Za-z0-9])|$)", "IP"),
        MaskingInstruction(r"((?<=[^A-Za-z0-9])|^)([0-9a-f]{6,} ?){3,}((?=[^A-Za-z0-9])|$)", "SEQ"),
        MaskingInstruction(r"((?<=[^A-Za-z0-9])|^)([0-9A-F]{4} ?){4,}((?=[^A-Za-z0-9])|$)", "SEQ"),
        MaskingInstruction(r"((?<=[^A-Za-z0-9])|^)(0x[a-f0-9A-F]+)((?=[^A-Za-z0-9])|$)", "HEX"),
        MaskingInstruction(r"((?<=[^A-Za-z0-9])|^)([\-\+]?\d+)((?=[^A-Za-z0-9])|$)", "NUM"),
        MaskingInstruction(r"(?<=executed cmd )(\".+?\")", "CMD"),
    ]
miner = TemplateMiner(config=config)
start = time.perf_counter()
for m in messages:
    miner.add_log_message(m)
secs = time.perf_counter() - start
print(json.dumps({
    "drain3_config": "example masking" if mask else "default (no masking)",
    "drain3_lines": len(messages),
    "drain3_seconds": round(secs, 3),
    "drain3_lines_s": round(len(messages) / secs),
    "drain3_clusters": len(miner.drain.clusters),
}))
