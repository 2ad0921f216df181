"""Benchmarks behind `crosswire eval TASK DATA`: each module exposes
`run(path, args) -> dict` (metrics as fractions 0-1 plus counts) and
`format_line(metrics) -> str` (one comparable line)."""
