from vm370.cli import main

raise SystemExit(main())
