from .cli import main

# The name users type: usage lines and shell completion (_LD_PUBLISH_COMPLETE) match the
# installed command, not "python -m ld_publish".
main(prog_name="ld-publish")
