"""``python -m crossplan``: the same command line as the ``crossplan`` script."""

from .cli import run

if __name__ == "__main__":
    run()
