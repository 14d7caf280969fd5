"""Measurement commands behind `kipp evaluate` (evaluation) and `kipp bench ...` (duplicates, safety, text_cap,
watch); their figures go into benchmarks/ and the README, never into unit tests."""
