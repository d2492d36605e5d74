"""Hooks for the apps above ``listings``: they must not be imported from here, so
the engine and undo tell them what happened and they do their share in the same
transaction (see docs/architecture.md, "Hooks of the write path").

- ``listings_written``: sent by ``changes_apply`` after every change, inside its
  transaction, with ``actor``, ``action``, ``batch``, ``created`` (ids, in the order
  given; a listing re-created by undo or redo keeps its old id), ``deleted`` (ids) and
  ``copied_from`` ({new id: id of the listing it copies}, for duplicates).
- ``step_replayed``: sent by undo and redo for the step they replay, inside their
  transaction, with ``user``, ``step`` (the ``UndoStep``), ``undo`` (True for undo,
  False for redo) and ``dry_run`` (only say whether it could be replayed). A receiver
  puts back its own objects of ``step.batch`` and returns how many it touched, or
  raises ``NotUndoable`` to refuse (which rolls the whole undo back).
"""

from django.dispatch import Signal

listings_written = Signal()
step_replayed = Signal()
