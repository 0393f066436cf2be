"""One module per command; this list is what the root group registers."""

from __future__ import annotations

import click

from termalign.commands.align import align
from termalign.commands.model import model
from termalign.commands.run import run
from termalign.commands.term import term

COMMANDS: list[click.Command] = [align, run, term, model]
