"""Helpers shared by the tests, in one place and imported one way: ``from tests.helpers.<module>
import …`` (pytest's ``pythonpath = ["."]`` puts the repository root on sys.path).

- ``paths`` — the repository, tests/data and ../shared/data folders (``shared_path`` skips
  without them).
- ``cli`` — the one CLI runner (``run_in``, ``run_ok``) and the command tree (``all_paths``).
- ``screen`` — small projects with clusters, decisions and resolutions written by the real writers.
- ``prisma`` — the worked example's PRISMA inputs and layout checks.
- ``reliability``, ``reliability_hostile``, ``hostile`` — crash, fuzz and hostile-input trials.
"""
