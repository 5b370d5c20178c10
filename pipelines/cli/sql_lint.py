"""`make lint`'s SQL half: sqlfluff with the dbt templater (.sqlfluff) over the dbt project's models and tests,
given the environment dbt gets from the settings (profiles.yml reads its paths from it and has no defaults).
The templater opens the profile's database: a throwaway one, so linting never touches a data root."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pipelines.settings import PROJECT_ROOT, Settings


def main(argv: list[str] | None = None) -> int:
    args = (argv if argv is not None else sys.argv[1:]) or ["lint"]
    sqlfluff = shutil.which("sqlfluff", path=os.path.dirname(sys.executable)) or "sqlfluff"
    with tempfile.TemporaryDirectory(prefix="revcycle-sqlfluff-") as tmp:
        settings = Settings(project_root=PROJECT_ROOT, home=Path(tmp))
        paths = [str(settings.dbt_dir / "models"), str(settings.dbt_dir / "tests")]
        # .sqlfluff names the dbt project relative to the repository root
        return subprocess.call(
            [sqlfluff, *args, *paths], cwd=PROJECT_ROOT, env={**os.environ, **settings.dbt_env()}
        )


if __name__ == "__main__":
    sys.exit(main())
