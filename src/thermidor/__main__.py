"""`python -m thermidor ...` is the `thermidor` command line."""

from thermidor.cli import main

if __name__ == "__main__":
    main()
