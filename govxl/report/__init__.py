"""The report and what is made of it, at the end of the road sources → judge → report.

- `findings.py` the report's data (:class:`Report`, :class:`Finding`): what the judge returns, the
  one module of this package that the sources and the judge import;
- `annotate.py` the marked-up copy of a workbook (`govxl check --annotate`), from the plan of
  `annotate_plan.py`; `page.py` the HTML report (`--report`); `outputs.py` where both go and the
  hook that writes them where each report is checked;
- `batch.py` the summary rows of a batch (the CSV of `--summary`, the verdict words).
"""
