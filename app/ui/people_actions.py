"""What the window does for the People view: the panel's requests forwarded to
`PeopleOrganiser`, the name asked for, and a question before a name another person has makes
the two one person. Only dialogs and forwarding; the organiser does the work."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from app.controller.people import PeopleOrganiser
from app.ui.people_panel import PeoplePanel


class PeopleActions:
    def __init__(
        self, window: QWidget, people: PeopleOrganiser, panel: PeoplePanel, show_photos: Callable[[int], None]
    ) -> None:
        self.window = window
        self.people = people
        panel.name_requested.connect(self.ask_name)
        panel.name_typed.connect(self.name)
        panel.merge_requested.connect(people.merge)
        panel.photos_requested.connect(show_photos)
        panel.faces_requested.connect(people.open_person)
        panel.hide_requested.connect(people.hide)
        panel.unhide_requested.connect(people.unhide)
        panel.show_hidden_toggled.connect(people.set_show_hidden)
        panel.confirm_requested.connect(people.confirm_all)
        panel.not_this_person.connect(people.remove_face)

    def ask_name(self, person_id: int) -> None:
        person = self.people.people.get(person_id)
        if person is None:
            return
        name, ok = QInputDialog.getText(self.window, "Name this person", "Name:", text=person.name or "")
        if ok and name.strip():
            self.name(person_id, name)

    def name(self, person_id: int, name: str) -> None:
        """A name another person has: ask before the two become one."""
        other = self.people.name_taken(person_id, name)
        if other is not None:
            answer = QMessageBox.question(
                self.window,
                "Same name",
                f"{other.name} is already the name of another person ({other.faces} faces).\n\n"
                "Are they the same person? Their faces will then be one person.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.people.name(person_id, name, merge=other is not None)
