"""``python -m crossplan``: the same command line as the ``crossplan`` script."""

from .cli import main

if __name__ == "__main__":
    main(prog_name="crossplan")
