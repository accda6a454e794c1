"""Benchmarks and checks, run from the repository root as modules: ``python -m benchmarks.<name> --help``.
Each writes a results JSON (benchmarks/results/ or metrics/) that names the command that made it."""
