from kith_cli.main import main

raise SystemExit(main())
