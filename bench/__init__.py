"""Parallax measuring instruments: one runnable module per pipeline stage.

Each module scores Parallax and the tools people use today on the same real evaluation data, in the
same run. Data is read at run time from ``../shared/eval`` (never copied into the repository); see
``docs/BENCHMARKS.md`` for the commands and the latest figures.
"""
