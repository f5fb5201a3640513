from .cli import main

# Guarded: a cluster's worker processes are spawned, and import this module again.
if __name__ == "__main__":
    main()
