#!/usr/bin/env python3
"""Entry point: `python build.py build` is the same as `cardpress build`."""

from cardpress.cli import main

if __name__ == "__main__":
    main()
