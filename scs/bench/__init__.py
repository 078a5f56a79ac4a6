"""`scs bench`: the pipeline's cost, measured against its own floor (docs/benchmarks.md).

`site` generates a TRS-static site of N notices in the mirror's fixture format (bodies from
the phrase bank in `phrases`); `crawls` runs each crawl in a fresh child process against it;
`stages` holds the stage functions that `scs.commands.bench` runs and reports.
"""
