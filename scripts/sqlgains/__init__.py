"""The modules of scripts/sql-gains, which measures what each compiled statement of
anxin/core/sql.py saves over the ORM doing the same (its docstring says how): the ORM
equivalents (orm), the timing and the report (harness), the fixtures (fixtures), and the three
kinds of measure (statements, paths, lifecycle)."""
