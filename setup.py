"""Build hook: ship the editable rules kit (``rules/``) inside the package as ``claimbook/default_rules``.

The rules live at the repository root so an office manager (and a reviewer) finds them where the
README says; an installed claimbook still needs its defaults, so the wheel carries a copy.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithRules(build_py):
    def run(self):
        super().run()
        here = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "claimbook" / "default_rules"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(here / "rules", target, ignore=shutil.ignore_patterns("*.pyc", "__pycache__"))


setup(cmdclass={"build_py": BuildPyWithRules})
