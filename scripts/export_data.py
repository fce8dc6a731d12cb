"""How the bundled data files were made (run once, by hand; not needed to use rnn-kit).

    python -m venv /tmp/exp && /tmp/exp/bin/pip install statsmodels==0.15.0 vega_datasets==0.9.0 faker==40.54.0
    /tmp/exp/bin/python scripts/export_data.py

The offline text corpus comes from the Python that runs the script (3.11.7 for the committed file):
``python3 scripts/export_data.py python-docs`` writes only that one.

Numbers and names are facts taken from those packages' bundled data; see data/README.md.
"""

import csv
import gzip
import hashlib
import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1] / "data"
SURNAME_LOCALES = {"en_US": "English", "de_DE": "German", "fr_FR": "French", "it_IT": "Italian",
                   "es_ES": "Spanish", "nl_NL": "Dutch", "fi_FI": "Finnish", "cs_CZ": "Czech"}


def export_co2():
    from statsmodels.datasets import co2

    frame = co2.load_pandas().data
    with open(HERE / "co2_weekly.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["date", "co2_ppm"])
        for date, value in zip(frame.index, frame["co2"]):
            w.writerow([date.date().isoformat(), "" if value != value else f"{value:.1f}"])


def export_weather():
    from vega_datasets import local_data

    frame = local_data.seattle_weather()
    with open(HERE / "seattle_weather.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["date", "precipitation_mm", "temp_max_c", "temp_min_c", "wind_m_s"])
        for row in frame.itertuples():
            w.writerow([row.date.date().isoformat(), row.precipitation, row.temp_max, row.temp_min, row.wind])


def export_surnames():
    names = {}
    for locale, language in SURNAME_LOCALES.items():
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for name in provider.last_names:
            names.setdefault(name.strip(), set()).add(language)
    rows = sorted((n, langs.pop()) for n, langs in names.items() if len(langs) == 1 and n)  # drop ambiguous
    with open(HERE / "surnames.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["surname", "language"])
        w.writerows(rows)


def export_python_docs():
    """The help topics of CPython's ``pydoc_data`` (PSF licence), sorted by topic, as gzip with a fixed mtime.

    Bundled rather than read from the running Python, whose topics change from release to release:
    the corpus, and every number computed on it, must be the same on every machine and in Pyodide.
    """
    from pydoc_data.topics import topics

    text = "\n\n".join(topics[key].strip() for key in sorted(topics)) + "\n"
    raw = text.encode("utf-8")
    (HERE / "python_docs.txt.gz").write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
    print(f"python_docs.txt.gz: {len(text):,} characters, SHA-256 {hashlib.sha256(raw).hexdigest()}")


if __name__ == "__main__":
    if sys.argv[1:] == ["python-docs"]:
        export_python_docs()
    else:
        export_co2()
        export_weather()
        export_surnames()
        export_python_docs()
