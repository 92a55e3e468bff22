from kith_local.cli import main

raise SystemExit(main())
