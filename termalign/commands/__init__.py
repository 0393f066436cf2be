"""One module per command; this list is what the root group registers."""

from __future__ import annotations

import click

from termalign.commands.align import align
from termalign.commands.batch import batch
from termalign.commands.config import config
from termalign.commands.eval import eval_
from termalign.commands.model import model
from termalign.commands.run import run
from termalign.commands.serve import serve
from termalign.commands.term import term
from termalign.commands.translate import translate
from termalign.commands.xliff import xliff

COMMANDS: list[click.Command] = [align, run, term, model, batch, serve, eval_, translate, xliff, config]
