"""``python -m engagive_async``: the command line."""

from engagive_async._cli import main

if __name__ == "__main__":
    main()
