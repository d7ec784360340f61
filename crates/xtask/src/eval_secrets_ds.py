"""detect-secrets on files, every finding with its line: the scan of `detect-secrets scan FILE` (all plugins, the
default filters: `default_settings()`, what the CLI uses without a baseline), through the same per-file generator
(`detect_secrets.core.scan.scan_file`), but without the collection step that keeps each distinct secret once per
file, so a secret repeated on several lines is reported on each of them.

Usage: python eval_secrets_ds.py FILE...  Prints `version\t<VERSION>`, then `<FILE>\t<LINE>\t<TYPE>` per finding.
Run by `cargo xtask eval-secrets` inside a throwaway virtualenv.
"""
import sys

from detect_secrets.__version__ import VERSION
from detect_secrets.core import scan
from detect_secrets.settings import default_settings

print(f"version\t{VERSION}")
with default_settings():
    for path in sys.argv[1:]:
        for secret in scan.scan_file(path):
            print(f"{path}\t{secret.line_number}\t{secret.type}")
sys.stdout.flush()
