"""Write docs/cli.md from the CLI's own help:

    .venv/bin/python scripts/gen_cli_doc.py > docs/cli.md

tests/test_docs.py regenerates it in memory and fails when the file is stale.
"""
import click

from crosswire.cli import main


def render() -> str:
    ctx = click.Context(main, info_name="crosswire", terminal_width=100, max_content_width=100)
    out = ["# CLI reference", "",
           "Generated from the command's own help (`crosswire COMMAND --help`) by "
           "`scripts/gen_cli_doc.py`; `tests/test_docs.py` fails when this file and the CLI disagree.",
           "", "```", main.get_help(ctx), "```", ""]
    for name in sorted(main.commands):
        cmd = main.commands[name]
        sub = click.Context(cmd, info_name=name, parent=ctx, terminal_width=100, max_content_width=100)
        out += [f"## crosswire {name}", "", "```", cmd.get_help(sub), "```", ""]
        for sub_name in sorted(getattr(cmd, "commands", {})):  # a group's own commands (events split, join)
            sub_cmd = cmd.commands[sub_name]
            leaf = click.Context(sub_cmd, info_name=sub_name, parent=sub, terminal_width=100, max_content_width=100)
            out += [f"### crosswire {name} {sub_name}", "", "```", sub_cmd.get_help(leaf), "```", ""]
    return "\n".join(out)


if __name__ == "__main__":
    print(render())
