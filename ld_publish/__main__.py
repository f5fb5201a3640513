from .cli import main

# Guarded: a cluster's worker processes are spawned, and import this module again.
if __name__ == "__main__":
    # The name users type: usage lines and shell completion (_LD_PUBLISH_COMPLETE) match the
    # installed command, not "python -m ld_publish".
    main(prog_name="ld-publish")
