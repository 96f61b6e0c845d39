"""`python -m service.cli …` is the `nastavnik` command."""

from service.cli.main import main

raise SystemExit(main())
