"""What the window does for the Duplicates view: wiring the panel to `DuplicatesReview`, and the
confirmation before anything goes to the Trash, which lists every file that would move."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from app.controller.duplicates import DuplicatesReview
from app.core.paths import display_path
from app.ui.duplicates_panel import DuplicatesPanel


class DuplicatesActions:
    def __init__(self, window: QWidget, review: DuplicatesReview, panel: DuplicatesPanel) -> None:
        self.window = window
        self.review = review
        self.panel = panel
        panel.group_chosen.connect(review.choose)
        panel.group_stepped.connect(review.step)
        panel.keep_chosen.connect(review.keep)
        panel.keep_stepped.connect(review.keep_next)
        panel.tier_chosen.connect(review.set_tier)
        panel.strictness_changed.connect(review.set_strictness)
        panel.trash_requested.connect(lambda: self.confirm_trash())
        panel.remove_requested.connect(lambda: self.confirm_remove())
        panel.dismiss_requested.connect(review.dismiss)

    def opened(self) -> None:
        """The view came to the front: find duplicates (again, when photos changed since)."""
        self.review.wanted = True
        self.review.refresh()
        self.panel.setFocus()

    def confirm_trash(self, confirm: bool = True) -> None:
        others = self.review.others()
        if not others:
            return
        if confirm:
            box = QMessageBox(
                QMessageBox.Icon.Question,
                "Move to the Trash",
                f"Move {len(others)} photo{'s' if len(others) != 1 else ''} to the Trash?\n\n"
                + "\n".join(display_path(p) for p in others[:12])
                + (f"\n… and {len(others) - 12} more" if len(others) > 12 else "")
                + "\n\nThey can be restored from the Trash. The photo marked Keep stays.",
                QMessageBox.StandardButton.Cancel,
                self.window,
            )
            box.setDetailedText("\n".join(display_path(p) for p in others))
            move = box.addButton("Move to the Trash", QMessageBox.ButtonRole.DestructiveRole)
            box.setDefaultButton(QMessageBox.StandardButton.Cancel)
            box.exec()
            if box.clickedButton() is not move:
                return
        self.review.trash_others()

    def confirm_remove(self, confirm: bool = True) -> None:
        others = self.review.others()
        if not others:
            return
        if confirm:
            answer = QMessageBox.question(
                self.window,
                "Remove from the library",
                f"Remove {len(others)} photo{'s' if len(others) != 1 else ''} from the library?\n\n"
                "The files stay where they are; only the library forgets them.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.review.remove_others()
