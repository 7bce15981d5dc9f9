import sys

from kgan_cli import main

sys.exit(main())
